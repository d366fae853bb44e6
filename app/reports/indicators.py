"""The region's annual indicators, modelled on the European cluster benchmarking indicators.

Each indicator is one small entry of `INDICATORS`: a code, its name, a unit, the text saying
which records it is computed from, and a function of the year that asks the database. Nothing is
typed in. A domain that adds a service to the cluster adds its figures as entries here.

The year is the calendar year in the viewer's time zone, the same bounds the staff dashboard
uses for `from=YYYY-01-01&to=YYYY-12-31`, so each figure can be checked against it. Counts of
members are taken on the year's last day, or today while the year runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, false, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, User
from app.db import utcnow
from app.deals.models import Deal
from app.deals.queries import confirmed_deal
from app.errors import Forbidden
from app.events import queries as events_queries
from app.i18n import N_, gettext
from app.introductions.models import Introduction, SuccessStory
from app.meetings.models import Meeting, MeetingStatus, PitchDay, PitchMeeting, PitchParticipant
from app.membership.models import GRACE_PERIOD, Application, Membership, MembershipStatus
from app.mentoring.models import MentoringSession
from app.reports import policies, service
from app.reports.schemas import Filters
from app.training.models import Certificate, Enrolment, EnrolmentStatus, TrainingSession
from app.training.queries import valid_certificate

Value = int | float | None

# Units are stable slugs in the API; pages and files show their labels.
UNITS = {
    "organisations": N_("organisations"),
    "percent": N_("%"),
    "days": N_("days"),
    "people": N_("people"),
    "count": N_("number"),
    "rub": N_("RUB"),
}


@dataclass(frozen=True)
class Year:
    year: int
    first_day: date
    last_day: date
    start: datetime  # the first moment of the year in UTC
    end: datetime  # the first moment of the next year in UTC
    as_of: date  # the day member counts are taken: the year's last day, or today while it runs

    def period(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.start, column < self.end]

    def days(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.first_day, column <= self.last_day]

    def scope(self, tz: ZoneInfo) -> service.Scope:
        return service.scope_of(Filters(date_from=self.first_day, date_to=self.last_day), tz)


def year_of(year: int, tz: ZoneInfo, today: date) -> Year:
    first, last = date(year, 1, 1), date(year, 12, 31)

    def bound(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    return Year(year, first, last, bound(first), bound(date(year + 1, 1, 1)), min(last, today))


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # a msgid
    unit: str  # a key of UNITS
    source: str  # a msgid: which records, which rule
    compute: Callable[[Session, Year, ZoneInfo], Value]


@dataclass(frozen=True)
class IndicatorValue:
    code: str
    name: str
    value: Value
    unit: str
    source: str


def _count(session: Session, query: object) -> int:
    return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# --- Members ------------------------------------------------------------------------------------


def member_on(day: date) -> ColumnElement[bool]:
    """A membership in force on `day`: started, not past its grace period, and not suspended or
    revoked by then."""
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    stopped = and_(
        Membership.status.in_((MembershipStatus.suspended, MembershipStatus.revoked)),
        or_(Membership.status_changed_at.is_(None), Membership.status_changed_at < end_of_day),
    )
    return and_(
        Membership.starts_on <= day,
        Membership.expires_on >= day - GRACE_PERIOD,
        ~stopped,
    )


def members_total(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(session, select(func.count(Membership.id)).where(member_on(year.as_of)))


def members_sme_share(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    total, sme = session.execute(
        select(
            func.count(Membership.id),
            func.sum(case((Organisation.kind == OrganisationKind.sme, 1), else_=0)),
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(member_on(year.as_of))
    ).one()
    return _percent(int(sme or 0), int(total or 0))


def new_members(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session, select(func.count(Membership.id)).where(*year.days(Membership.starts_on))
    )


def members_left(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    """Revoked in the year, or lapsed in it: the grace period after expiry ended in the year
    (and has ended by today) without a renewal."""
    today = utcnow().date()
    revoked = and_(
        Membership.status == MembershipStatus.revoked,
        Membership.status_changed_at >= year.start,
        Membership.status_changed_at < year.end,
    )
    lapsed = and_(
        Membership.status != MembershipStatus.revoked,
        Membership.expires_on >= year.first_day - GRACE_PERIOD,
        Membership.expires_on <= year.last_day - GRACE_PERIOD,
        Membership.expires_on < today - GRACE_PERIOD,
    )
    return _count(session, select(func.count(Membership.id)).where(or_(revoked, lapsed)))


def _used_a_service(year: Year) -> ColumnElement[bool]:
    """The organisation took part in one of the cluster's services in the year."""
    org = Membership.organisation_id
    trained = (
        select(literal(1))
        .select_from(Enrolment)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(OrganisationMember, OrganisationMember.user_id == Enrolment.user_id)
        .where(
            OrganisationMember.organisation_id == org,
            Enrolment.status == EnrolmentStatus.enrolled,
            *year.period(TrainingSession.starts_at),
        )
        .exists()
    )
    met = (
        select(literal(1))
        .where(
            Meeting.organisation_id == org,
            Meeting.status != MeetingStatus.cancelled,
            *year.period(Meeting.starts_at),
        )
        .exists()
    )
    pitched = (
        select(literal(1))
        .select_from(PitchParticipant)
        .join(PitchDay, PitchDay.id == PitchParticipant.pitch_day_id)
        .where(PitchParticipant.organisation_id == org, *year.days(PitchDay.date))
        .exists()
    )
    introduced = (
        select(literal(1))
        .where(Introduction.requester_organisation_id == org, *year.period(Introduction.created_at))
        .exists()
    )
    funded = (
        select(literal(1))
        .where(Deal.organisation_id == org, confirmed_deal(), *year.days(Deal.closed_on))
        .exists()
    )
    return or_(false(), trained, met, pitched, introduced, funded)


def active_members(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(Membership.id)).where(member_on(year.as_of), _used_a_service(year)),
    )


# --- Applications -------------------------------------------------------------------------------


def applications(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(Application.id)).where(
            Application.submitted_at.is_not(None), *year.period(Application.submitted_at)
        ),
    )


def approval_rate(session: Session, year: Year, tz: ZoneInfo) -> Value:
    rate = service.decisions(session, year.scope(tz)).approval_rate
    return None if rate is None else round(rate * 100, 1)


def median_days_to_decision(session: Session, year: Year, tz: ZoneInfo) -> Value:
    return service.time_to_decision(session, year.scope(tz)).median_days


# --- Services -----------------------------------------------------------------------------------


def training_participants(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(distinct(Enrolment.user_id)))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(
            Enrolment.status == EnrolmentStatus.enrolled,
            or_(Enrolment.attended.is_(None), Enrolment.attended.is_(True)),
            *year.period(TrainingSession.starts_at),
        ),
    )


def certificates(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(Certificate.id)).where(
            valid_certificate(), *year.period(Certificate.issued_at)
        ),
    )


def investor_meetings(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    now = utcnow()
    held = or_(
        and_(Meeting.status == MeetingStatus.completed, Meeting.no_show.is_(None)),
        and_(Meeting.status == MeetingStatus.scheduled, Meeting.ends_at <= now),
    )
    return _count(
        session, select(func.count(Meeting.id)).where(held, *year.period(Meeting.starts_at))
    )


def pitch_day_meetings(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(PitchMeeting.id))
        .join(PitchDay, PitchDay.id == PitchMeeting.pitch_day_id)
        .where(PitchDay.published_at.is_not(None), *year.days(PitchDay.date)),
    )


def deals(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session, select(func.count(Deal.id)).where(confirmed_deal(), *year.days(Deal.closed_on))
    )


def investment_rub(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.coalesce(func.sum(Deal.amount_rub), 0)).where(
            confirmed_deal(), *year.days(Deal.closed_on)
        ),
    )


def introductions(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session, select(func.count(Introduction.id)).where(*year.period(Introduction.created_at))
    )


def introductions_accepted(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(Introduction.id)).where(
            Introduction.accepted_at.is_not(None), *year.period(Introduction.accepted_at)
        ),
    )


def success_stories(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(SuccessStory.id)).where(
            SuccessStory.published_at.is_not(None), *year.period(SuccessStory.published_at)
        ),
    )


def mentoring_sessions(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return _count(
        session,
        select(func.count(MentoringSession.id)).where(*year.days(MentoringSession.held_on)),
    )


def events(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return events_queries.events_held(session, year.start, year.end)


def event_participants(session: Session, year: Year, _tz: ZoneInfo) -> Value:
    return events_queries.event_participants(session, year.start, year.end)


INDICATORS: list[Indicator] = [
    Indicator(
        "members_total",
        N_("Member organisations"),
        "organisations",
        N_(
            "Memberships in force on the year's last day (today while the year runs): started, "
            "not past the grace period, not suspended or revoked."
        ),
        members_total,
    ),
    Indicator(
        "members_sme_share",
        N_("Share of small and medium companies among members"),
        "percent",
        N_("Member organisations of kind “small or medium company” among the members counted."),
        members_sme_share,
    ),
    Indicator(
        "new_members",
        N_("New members"),
        "organisations",
        N_("Memberships that started (or restarted after a lapse) in the year."),
        new_members,
    ),
    Indicator(
        "members_left",
        N_("Members that left"),
        "organisations",
        N_(
            "Memberships revoked in the year, or whose grace period after expiry ended in the "
            "year without a renewal."
        ),
        members_left,
    ),
    Indicator(
        "active_members",
        N_("Active members"),
        "organisations",
        N_(
            "Members counted that used a service in the year: a training session, an investor "
            "meeting, a pitch day, an introduction or a confirmed deal."
        ),
        active_members,
    ),
    Indicator(
        "applications",
        N_("Membership applications"),
        "count",
        N_("Applications submitted to the committee in the year."),
        applications,
    ),
    Indicator(
        "approval_rate",
        N_("Approval rate"),
        "percent",
        N_("Approved among the approved and rejected applications submitted in the year."),
        approval_rate,
    ),
    Indicator(
        "median_days_to_decision",
        N_("Median time to decision"),
        "days",
        N_(
            "Days from submission to the committee's decision, median over the decided "
            "applications submitted in the year."
        ),
        median_days_to_decision,
    ),
    Indicator(
        "training_participants",
        N_("Training participants"),
        "people",
        N_(
            "Different people enrolled in training sessions that started in the year, "
            "not counting those marked absent."
        ),
        training_participants,
    ),
    Indicator(
        "certificates",
        N_("Training certificates"),
        "count",
        N_("Course certificates issued in the year and not revoked."),
        certificates,
    ),
    Indicator(
        "investor_meetings",
        N_("Investor meetings held"),
        "count",
        N_(
            "Meetings with investors that started in the year and took place: completed "
            "without a no-show, or scheduled and already over."
        ),
        investor_meetings,
    ),
    Indicator(
        "pitch_day_meetings",
        N_("Pitch day meetings"),
        "count",
        N_("Meetings on the published schedules of the year's pitch days."),
        pitch_day_meetings,
    ),
    Indicator(
        "deals",
        N_("Investment deals"),
        "count",
        N_("Deals confirmed by staff that closed in the year."),
        deals,
    ),
    Indicator(
        "investment_rub",
        N_("Private investment raised"),
        "rub",
        N_("The sum of the confirmed deals that closed in the year."),
        investment_rub,
    ),
    Indicator(
        "introductions",
        N_("Introductions requested"),
        "count",
        N_("Requests for an introduction to a partner made in the year."),
        introductions,
    ),
    Indicator(
        "introductions_accepted",
        N_("Introductions accepted"),
        "count",
        N_("Introductions the partner accepted in the year."),
        introductions_accepted,
    ),
    Indicator(
        "success_stories",
        N_("Success stories"),
        "count",
        N_("Success stories published in the year with the consent of both sides."),
        success_stories,
    ),
    Indicator(
        "events",
        N_("Events held"),
        "count",
        N_("Networking days, conferences, demo days and workshops that started in the year."),
        events,
    ),
    Indicator(
        "event_participants",
        N_("Event participants"),
        "people",
        N_("Different people marked as having attended an event held in the year."),
        event_participants,
    ),
    Indicator(
        "mentoring_sessions",
        N_("Mentoring sessions"),
        "count",
        N_("Sessions that mentors logged as held in the year, in every mentorship."),
        mentoring_sessions,
    ),
]


def compute(session: Session, *, actor: User, year: int, tz: ZoneInfo) -> list[IndicatorValue]:
    """Every indicator of the year, in the viewer's language, for staff and the observer."""
    if not policies.can_view_reports(actor):
        raise Forbidden(gettext("You do not have permission to do this."))
    bounds = year_of(year, tz, datetime.now(tz).date())
    return [
        IndicatorValue(
            code=item.code,
            name=gettext(item.name),
            value=item.compute(session, bounds, tz),
            unit=item.unit,
            source=gettext(item.source),
        )
        for item in INDICATORS
    ]


def unit_label(unit: str) -> str:
    return gettext(UNITS[unit])
