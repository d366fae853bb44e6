"""Demo data: a year of the cluster's history for the reports (idempotent).

Eighteen start-ups from four regions pass, or drop out of, the funnel: applications with the demo
reviewers' scores and the chair's decisions, the investor-readiness course, meetings with the
demo investor and introductions to the demo partner, some ending in an investment. Every
approved organisation holds its membership. Of those under review, one awaits the chair's decision
and the others a review from each reviewer in turn.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.identifiers import inn_with_check_digits
from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, User
from app.accounts.passwords import hash_password
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
    Membership,
    Recommendation,
    Review,
)
from app.membership.queries import membership_of
from app.membership.register import grant_membership
from app.membership.reviews import rescore
from app.membership.rubric import current_version
from app.training.models import Certificate, Course, Enrolment, EnrolmentStatus, TrainingSession

REGIONS = ("Новосибирская область", "Томская область", "Алтайский край", "Кемеровская область")
SECTORS = ("software", "geoinformation", "industrial_it", "hardware", "edtech", "healthtech")
NAMES = (
    "СибДатчик",
    "ГеоСкан",
    "Умный цех",
    "ТомскБио",
    "Алтай Агро IT",
    "КузбассРобот",
    "Облако-54",
    "ЭдуЛаб",
    "МедВизор",
    "ТехноКарта",
    "ПромАналитика",
    "Сибирский код",
    "Кедр Софт",
    "Нейросеть Обь",
    "ГидроМонитор",
    "Тайга VR",
    "ЭнергоУчёт",
    "Роботы Сибири",
)
MARKER_INN = "590000001"


def _at(rng: random.Random, start: datetime, days: int) -> datetime:
    return start + timedelta(days=rng.randint(0, days), hours=rng.randint(8, 18))


def _reviewed_yet(undecided: int, position: int) -> bool:
    """The first application under review has all three reviews, so the chair can decide it;
    each later one has one, written in turn by each reviewer, who owe the other two."""
    return undecided == 0 or position == undecided % 3


def grant_missing_memberships(session: Session, world: Any) -> None:
    """Each organisation with an approved application is a member, granted as the chair's
    decision grants it, so the public register and "the cluster in numbers" agree."""
    without = session.scalars(
        select(Application)
        .where(
            Application.status == ApplicationStatus.approved,
            Application.organisation_id.not_in(select(Membership.organisation_id)),
        )
        .order_by(Application.decided_at, Application.id)
    ).all()
    for application in without:
        if membership_of(session, application.organisation_id) is None:
            grant_membership(session, actor=world.users["chair"], application=application)


def load(session: Session, world: Any) -> None:
    _load_history(session, world)
    grant_missing_memberships(session, world)


def _load_history(session: Session, world: Any) -> None:
    if session.scalar(
        select(Organisation.id).where(Organisation.inn == inn_with_check_digits(MARKER_INN))
    ):
        return
    reviewers = [
        world.users[k] for k in ("reviewer1", "reviewer2", "reviewer3") if k in world.users
    ]
    investor = world.users.get("investor")
    partner = world.organisations.get("large")
    if len(reviewers) < 3 or investor is None or partner is None:
        return
    rng = random.Random(2026)
    year_start = datetime(2026, 1, 12, tzinfo=UTC)
    password = hash_password("demo-portal-2026")
    readiness = session.scalar(select(Course).where(Course.investor_readiness.is_(True)))
    if readiness is None:
        readiness = Course(title="Готовность к инвестициям", investor_readiness=True)
        session.add(readiness)
        session.flush()
    past_session = TrainingSession(
        course_id=readiness.id,
        starts_at=datetime(2026, 4, 14, 7, tzinfo=UTC),
        ends_at=datetime(2026, 4, 14, 10, tzinfo=UTC),
        capacity=12,
        location="Технопарк, зал 2",
    )
    session.add(past_session)
    session.flush()
    seat = undecided = 0
    rubric = current_version(session, "membership", create=True)
    for index, name in enumerate(NAMES):
        inn = inn_with_check_digits(f"{int(MARKER_INN) + index:09d}")
        founder = User(
            email=f"history{index + 1}@demo.cluster",
            password_hash=password,
            full_name=f"Основатель «{name}»",
        )
        session.add(founder)
        session.flush()
        organisation = Organisation(
            name=name,
            kind=OrganisationKind.sme,
            inn=inn,
            region=REGIONS[index % len(REGIONS) if index % 3 else 0],
            sector=SECTORS[index % len(SECTORS)],
            description="",
        )
        organisation.members.append(OrganisationMember(user_id=founder.id))
        session.add(organisation)
        session.flush()
        submitted = _at(rng, year_start, 200)
        roll = rng.random()
        status = (
            ApplicationStatus.approved
            if roll < 0.6
            else ApplicationStatus.rejected
            if roll < 0.85
            else ApplicationStatus.under_review
        )
        decided = (
            submitted + timedelta(days=rng.randint(5, 40))
            if status != ApplicationStatus.under_review
            else None
        )
        application = Application(
            organisation_id=organisation.id,
            open_organisation_id=organisation.id if decided is None else None,
            applicant_id=founder.id,
            status=status,
            summary=f"{name}: продукт для отрасли",
            submitted_at=submitted,
            decided_at=decided,
            rubric_version=rubric,
        )
        session.add(application)
        session.flush()
        for position, reviewer in enumerate(reviewers):
            assignment = Assignment(
                application_id=application.id,
                reviewer_id=reviewer.id,
                conflict=False,
                declared_at=submitted,
            )
            session.add(assignment)
            session.flush()
            if decided is None and not _reviewed_yet(undecided, position):
                continue
            bias = (0, 1, -1)[position]
            base = 4 if status == ApplicationStatus.approved else 2
            scores = {
                c: max(1, min(5, base + bias + rng.choice((-1, 0, 0, 1))))
                for c in ("innovation", "team", "market", "cluster_fit")
            }
            review = Review(
                assignment_id=assignment.id,
                scores=scores,
                rubric_version=rubric,
                recommendation=Recommendation.approve if base > 3 else Recommendation.reject,
            )
            rescore(review)
            session.add(review)
        if decided is None:
            undecided += 1
        if status != ApplicationStatus.approved or decided is None:
            continue
        if rng.random() < 0.75:
            seat += 1
            session.add(
                Enrolment(
                    session_id=past_session.id,
                    user_id=founder.id,
                    organisation_id=organisation.id,
                    status=EnrolmentStatus.enrolled,
                    seat_number=seat,
                    attended=True,
                )
            )
            session.add(
                Certificate(
                    course_id=readiness.id,
                    user_id=founder.id,
                    year=2026,
                    sequence=900 + index,
                    number=f"BP-2026-{900 + index:04d}",
                    verify_code=f"demo-history-{index}",
                )
            )
            asked = decided + timedelta(days=rng.randint(10, 60))
            accepted = rng.random() < 0.7
            request = MeetingRequest(
                investor_id=investor.id,
                organisation_id=organisation.id,
                requester_id=founder.id,
                message="Хотим рассказать о продукте",
                status=RequestStatus.accepted if accepted else RequestStatus.declined,
                created_at=asked,
                expires_at=asked + timedelta(days=14),
                decided_at=asked + timedelta(days=2),
            )
            session.add(request)
            session.flush()
            if accepted:
                starts = asked + timedelta(days=7)
                meeting = Meeting(
                    uid=f"demo-history-{index}@cluster",
                    request_id=request.id,
                    investor_id=investor.id,
                    organisation_id=organisation.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=45),
                    status=MeetingStatus.completed,
                )
                session.add(meeting)
                session.flush()
                funded = rng.random() < 0.5
                amount = rng.choice((3, 5, 8, 12)) * 1_000_000
                reported = starts + timedelta(days=rng.randint(14, 45))
                session.add(
                    MeetingFeedback(
                        meeting_id=meeting.id,
                        author_id=investor.id,
                        side="investor",
                        rating=5 if funded else 3,
                        outcome=Outcome.investment if funded else Outcome.follow_up,
                        amount_rub=amount if funded else None,
                        created_at=reported,
                    )
                )
                if funded:
                    session.add(
                        Deal(
                            organisation_id=organisation.id,
                            amount_rub=amount,
                            instrument=Instrument.equity,
                            closed_on=min(reported, datetime.now(UTC)).date(),
                            investor_name=investor.full_name,
                            source=DealSource.meeting,
                            source_id=meeting.id,
                            status=DealStatus.confirmed,
                            reported_by_id=founder.id,
                            created_at=reported,
                            confirmed_at=reported,
                        )
                    )
        if rng.random() < 0.5:
            created = decided + timedelta(days=rng.randint(5, 30))
            accepted = rng.random() < 0.6
            introduction = Introduction(
                requester_organisation_id=organisation.id,
                partner_organisation_id=partner.id,
                requested_by_id=founder.id,
                purpose="Пилот на производстве",
                status=IntroductionStatus.accepted if accepted else IntroductionStatus.declined,
                created_at=created,
                status_changed_at=created + timedelta(days=6),
                forwarded_at=created + timedelta(days=1),
                accepted_at=created + timedelta(days=6) if accepted else None,
            )
            session.add(introduction)
            session.flush()
            if accepted:
                session.add(
                    IntroductionOutcome(
                        introduction_id=introduction.id,
                        kind=OutcomeKind.pilot,
                        note="Пилотный проект",
                        side="member",
                        created_at=created + timedelta(days=30),
                    )
                )
    session.flush()
