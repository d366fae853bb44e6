"""A small hand-computed history of the cluster, inserted straight into the tables (the services
refuse to write the past), and a counter of SQL statements.

One copy of `build_history` holds six applicants (organisations A–F) and one draft (G):

|org|region|sector  |submitted |decision (days)|cert|investor meeting|investment     |
|---|------|--------|----------|---------------|----|----------------|---------------|
|A  |NSO   |software|2026-01-10|approved (10)  |yes |completed       |1 000 000 03-05|
|B  |NSO   |software|2026-01-15|approved (20)  |yes |past, scheduled |–              |
|C  |NSO   |hardware|2026-02-01|approved (4)   |no  |request declined|–              |
|D  |Tomsk |hardware|2026-02-10|rejected (30)  |–   |request pending |–              |
|E  |Tomsk |software|2026-03-01|under review   |–   |request expired |–              |
|F  |Tomsk |software|2026-03-20|approved (6)   |yes |no-show         |500 000 04-10 *|

(* through an introduction; F never met an investor, so the nested funnel does not count it.
Both investments are confirmed deals; B's reported deal of 7 000 000 is not confirmed.)

Funnel (nested): applied 6 → approved 4 → trained 3 → met 2 → funded 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Role,
    User,
    UserRole,
)
from app.db import Database
from app.deals.models import Deal, DealSource, DealStatus, Instrument
from app.introductions.models import Introduction, IntroductionStatus, OutcomeKind
from app.introductions.models import Outcome as IntroductionOutcome
from app.meetings.models import (
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingStatus,
    Outcome,
    RequestStatus,
)
from app.membership.models import (
    Application,
    ApplicationStatus,
    Assignment,
    Recommendation,
    Review,
)
from app.membership.reviews import rescore
from app.membership.rubric import current_version
from app.training.models import (
    Certificate,
    Course,
    Enrolment,
    EnrolmentStatus,
    TrainingSession,
)

NSO = "Новосибирская область"
TOMSK = "Томская область"
_numbers = itertools.count(1)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class History:
    organisations: dict[str, int] = field(default_factory=dict)
    reviewers: list[int] = field(default_factory=list)


class _Builder:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()
        return obj

    def user(self, name: str, *roles: Role) -> User:
        n = next(_numbers)
        user = User(
            email=f"report{n}@example.com",
            password_hash="!",
            full_name=f"{name} {n}",
            role_rows=[UserRole(role=role) for role in roles],
        )
        return self.add(user)

    def organisation(
        self, name: str, region: str, sector: str, kind: OrganisationKind = OrganisationKind.sme
    ) -> tuple[Organisation, User]:
        n = next(_numbers)
        organisation = self.add(
            Organisation(
                name=f"{name} {n}", kind=kind, inn=f"{n:010d}", region=region, sector=sector
            )
        )
        founder = self.user(f"Founder {name}")
        self.add(OrganisationMember(organisation_id=organisation.id, user_id=founder.id))
        return organisation, founder

    def application(
        self,
        organisation: Organisation,
        status: ApplicationStatus,
        submitted: str | None,
        decided: str | None = None,
    ) -> Application:
        is_open = status in (ApplicationStatus.draft, ApplicationStatus.under_review)
        return self.add(
            Application(
                organisation_id=organisation.id,
                open_organisation_id=organisation.id if is_open else None,
                status=status,
                submitted_at=at(submitted) if submitted else None,
                decided_at=at(decided) if decided else None,
            )
        )

    def review(self, application: Application, reviewer: User, *scores: int) -> None:
        assignment = self.add(
            Assignment(
                application_id=application.id,
                reviewer_id=reviewer.id,
                declared_at=application.submitted_at,
                conflict=False,
            )
        )
        names = ("innovation", "team", "market", "cluster_fit")
        values = scores if len(scores) == 4 else scores * 4
        review = Review(
            assignment_id=assignment.id,
            scores=dict(zip(names, values, strict=True)),
            recommendation=Recommendation.approve,
            rubric_version=current_version(self.session, "membership", create=True),
        )
        rescore(review)
        self.add(review)

    def assign(self, application: Application, reviewer: User, conflict: bool | None) -> None:
        self.add(
            Assignment(application_id=application.id, reviewer_id=reviewer.id, conflict=conflict)
        )

    def certificate(self, course: Course, user: User) -> None:
        n = next(_numbers)
        self.add(
            Certificate(
                course_id=course.id,
                user_id=user.id,
                year=2026,
                sequence=n,
                number=f"BP-2026-{n:05d}",
                verify_code=f"report-cert-{n}",
            )
        )

    def session_of(self, course: Course, starts: datetime, capacity: int) -> TrainingSession:
        return self.add(
            TrainingSession(
                course_id=course.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=capacity,
            )
        )

    def enrol(
        self,
        training_session: TrainingSession,
        user: User,
        seat: int | None,
        attended: bool | None = None,
    ) -> None:
        if seat is None:
            queue = next(_numbers)
            status, seat_number, queue_number = EnrolmentStatus.waitlisted, None, queue
        else:
            status, seat_number, queue_number = EnrolmentStatus.enrolled, seat, None
        self.add(
            Enrolment(
                session_id=training_session.id,
                user_id=user.id,
                status=status,
                seat_number=seat_number,
                queue_number=queue_number,
                attended=attended,
            )
        )

    def request(
        self, organisation: Organisation, investor: User, status: RequestStatus, created: str
    ) -> MeetingRequest:
        return self.add(
            MeetingRequest(
                investor_id=investor.id,
                organisation_id=organisation.id,
                message="Let us talk",
                status=status,
                created_at=at(created),
                expires_at=at(created) + timedelta(days=14),
            )
        )

    def meeting(
        self,
        organisation: Organisation,
        investor: User,
        starts: str,
        status: MeetingStatus,
        request: MeetingRequest | None = None,
        no_show: str | None = None,
    ) -> Meeting:
        return self.add(
            Meeting(
                uid=f"report-meeting-{next(_numbers)}",
                request_id=request.id if request else None,
                investor_id=investor.id,
                organisation_id=organisation.id,
                starts_at=at(starts),
                ends_at=at(starts) + timedelta(minutes=30),
                status=status,
                no_show=no_show,
            )
        )

    def introduction(
        self,
        organisation: Organisation,
        partner: Organisation,
        status: IntroductionStatus,
        created: str,
    ) -> Introduction:
        forwarded = status in (IntroductionStatus.forwarded, IntroductionStatus.accepted)
        return self.add(
            Introduction(
                requester_organisation_id=organisation.id,
                partner_organisation_id=partner.id,
                purpose="Pilot",
                status=status,
                created_at=at(created),
                forwarded_at=at(created, 12) if forwarded else None,
                accepted_at=at(created, 14) if status == IntroductionStatus.accepted else None,
            )
        )


def build_history(database: Database, *, copies: int = 1) -> list[History]:
    """`copies` independent copies of the history in the module docstring; each has its own
    reviewers and investors, so every figure scales (counts ×copies, rates unchanged) except
    the number of investors, which also grows ×copies."""
    histories = []
    with database.session_scope() as session:
        for _ in range(copies):
            histories.append(_one_history(_Builder(session)))
    return histories


def _one_history(b: _Builder) -> History:
    history = History()
    orgs = {
        "A": b.organisation("A", NSO, "software"),
        "B": b.organisation("B", NSO, "software"),
        "C": b.organisation("C", NSO, "hardware"),
        "D": b.organisation("D", TOMSK, "hardware"),
        "E": b.organisation("E", TOMSK, "software"),
        "F": b.organisation("F", TOMSK, "software"),
        "G": b.organisation("G", NSO, "software"),
    }
    history.organisations = {key: org.id for key, (org, _founder) in orgs.items()}
    org = {key: value[0] for key, value in orgs.items()}
    founder = {key: value[1] for key, value in orgs.items()}
    partner, _ = b.organisation("Partner", NSO, "manufacturing", OrganisationKind.large)

    # Applications and reviews.
    apps = {
        "A": b.application(org["A"], ApplicationStatus.approved, "2026-01-10", "2026-01-20"),
        "B": b.application(org["B"], ApplicationStatus.approved, "2026-01-15", "2026-02-04"),
        "C": b.application(org["C"], ApplicationStatus.approved, "2026-02-01", "2026-02-05"),
        "D": b.application(org["D"], ApplicationStatus.rejected, "2026-02-10", "2026-03-12"),
        "E": b.application(org["E"], ApplicationStatus.under_review, "2026-03-01"),
        "F": b.application(org["F"], ApplicationStatus.approved, "2026-03-20", "2026-03-26"),
        "G": b.application(org["G"], ApplicationStatus.draft, None),
    }
    r1, r2, r3 = (b.user(f"Reviewer {i}", Role.committee) for i in (1, 2, 3))
    history.reviewers = [r1.id, r2.id, r3.id]
    b.review(apps["A"], r1, 4)
    b.review(apps["A"], r2, 5)
    b.review(apps["A"], r3, 3)
    b.review(apps["D"], r1, 2)
    b.review(apps["D"], r2, 3)
    b.assign(apps["D"], r3, conflict=True)
    b.review(apps["C"], r1, 5, 4, 3, 4)
    b.assign(apps["E"], r1, conflict=False)  # open
    b.assign(apps["E"], r2, conflict=None)  # open, not yet declared
    b.assign(apps["E"], r3, conflict=True)  # recused, not open

    # Training: certificates of the investor-readiness course for A, B and F.
    readiness = b.add(Course(title="Investor readiness", investor_readiness=True))
    other = b.add(Course(title="Export basics", investor_readiness=False))
    for key in ("A", "B", "F"):
        b.certificate(readiness, founder[key])
    b.certificate(other, founder["C"])
    s1 = b.session_of(readiness, at("2026-01-25"), capacity=4)
    b.enrol(s1, founder["A"], 1, attended=True)
    b.enrol(s1, founder["B"], 2, attended=True)
    b.enrol(s1, founder["F"], 3, attended=True)
    b.enrol(s1, b.user("Late"), None)  # waitlisted for a past session: not counted
    s2 = b.session_of(other, at("2026-02-15"), capacity=2)
    b.enrol(s2, founder["C"], 1, attended=False)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    s3 = b.session_of(readiness, soon, capacity=3)
    b.enrol(s3, founder["E"], 1)
    b.enrol(s3, founder["D"], 2)
    b.enrol(s3, founder["G"], 3)
    b.enrol(s3, b.user("Waiting 1"), None)
    b.enrol(s3, b.user("Waiting 2"), None)

    # Investor meetings.
    inv1 = b.user("Investor 1", Role.investor)
    inv2 = b.user("Investor 2", Role.investor)
    r_a = b.request(org["A"], inv1, RequestStatus.accepted, "2026-02-20")
    m_a = b.meeting(org["A"], inv1, "2026-03-01", MeetingStatus.completed, r_a)
    r_b = b.request(org["B"], inv1, RequestStatus.accepted, "2026-02-25")
    b.meeting(org["B"], inv1, "2026-03-10", MeetingStatus.scheduled, r_b)
    r_f = b.request(org["F"], inv2, RequestStatus.accepted, "2026-04-01")
    b.meeting(org["F"], inv2, "2026-04-05", MeetingStatus.completed, r_f, no_show="organisation")
    b.request(org["C"], inv2, RequestStatus.declined, "2026-03-01")
    b.request(org["E"], inv1, RequestStatus.expired, "2026-03-05")
    b.request(org["D"], inv2, RequestStatus.requested, "2026-03-06")
    b.meeting(org["A"], inv2, "2026-03-15", MeetingStatus.cancelled)
    # Both sides report A's investment; it counts once, with the larger amount.
    for author, side, amount, day in (
        (inv1, "investor", 1_000_000, "2026-03-05"),
        (founder["A"], "organisation", 900_000, "2026-03-06"),
    ):
        b.add(
            MeetingFeedback(
                meeting_id=m_a.id,
                author_id=author.id,
                side=side,
                rating=5,
                outcome=Outcome.investment,
                amount_rub=amount,
                created_at=at(day),
            )
        )

    # Introductions to the partner.
    i_f = b.introduction(org["F"], partner, IntroductionStatus.accepted, "2026-03-25")
    b.introduction(org["A"], partner, IntroductionStatus.forwarded, "2026-03-02")
    b.introduction(org["B"], partner, IntroductionStatus.requested, "2026-03-03")
    i_c = b.introduction(org["C"], partner, IntroductionStatus.accepted, "2026-03-04")
    for side, day in (("member", "2026-04-10"), ("partner", "2026-04-11")):
        b.add(
            IntroductionOutcome(
                introduction_id=i_f.id,
                kind=OutcomeKind.investment,
                amount_rub=500_000,
                note="Seed round",
                side=side,
                created_at=at(day),
            )
        )
    b.add(
        IntroductionOutcome(
            introduction_id=i_c.id, kind=OutcomeKind.pilot, note="Pilot", side="member"
        )
    )
    # The rounds staff confirmed (A's through the meeting, F's through the introduction), and
    # B's round that is only reported, so it counts nowhere.
    for organisation, amount, day, status, source in (
        (org["A"], 1_000_000, "2026-03-05", DealStatus.confirmed, DealSource.meeting),
        (org["F"], 500_000, "2026-04-10", DealStatus.confirmed, DealSource.introduction),
        (org["B"], 7_000_000, "2026-03-20", DealStatus.reported, DealSource.external),
    ):
        b.add(
            Deal(
                organisation_id=organisation.id,
                amount_rub=amount,
                instrument=Instrument.equity,
                closed_on=at(day).date(),
                investor_name="Fund",
                source=source,
                status=status,
                created_at=at(day),
            )
        )
    return history


def add_applicants(database: Database, region: str, sector: str, count: int) -> None:
    """`count` organisations of a region and sector that have submitted an application."""
    with database.session_scope() as session:
        b = _Builder(session)
        for i in range(count):
            organisation, _ = b.organisation(f"Applicant {i}", region, sector)
            b.application(organisation, ApplicationStatus.under_review, "2026-05-01")


@contextmanager
def count_statements(database: Database) -> Iterator[list[str]]:
    """Every SQL statement the application sends while the block runs."""
    statements: list[str] = []

    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", _record)
