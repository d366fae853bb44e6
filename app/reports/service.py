"""The cluster's funnel and KPIs, computed by the database.

Every figure is an SQL aggregate, and the report issues the same fixed number of statements
whatever the amount of data (the largest result sets are one row per region × sector, per
reviewer and per month). Percentiles are interpolated like PostgreSQL's `percentile_cont`, in a
window query that runs on SQLite as well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from app.accounts.models import Organisation, OrganisationMember, Role, User, UserRole
from app.db import utcnow
from app.deals.models import Deal
from app.deals.queries import confirmed_deal
from app.errors import Forbidden
from app.i18n import gettext
from app.introductions.models import Introduction
from app.introductions.models import Outcome as IntroductionOutcome
from app.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
)
from app.membership.models import Application, ApplicationStatus, Assignment, Review
from app.membership.queries import open_review
from app.reports import policies
from app.reports.schemas import (
    STAGES,
    DecisionsOut,
    Filters,
    FiltersOut,
    FunnelRow,
    IntroductionsOut,
    InvestmentOut,
    KpisOut,
    MeetingsOut,
    MonthAmount,
    ReviewerCalibration,
    ReviewerLoad,
    ReviewsOut,
    StageOut,
    TimeToDecisionOut,
    TrainingOut,
)
from app.reports.sql import days_between, percentile_weight
from app.training.models import Certificate, Course, Enrolment, EnrolmentStatus, TrainingSession
from app.training.queries import valid_certificate

# The public page shows no group (region, sector, the whole cluster) of fewer organisations.
MIN_GROUP_SIZE = 5

DECIDED = (
    ApplicationStatus.approved,
    ApplicationStatus.rejected,
    ApplicationStatus.changes_requested,
)


@dataclass(frozen=True)
class Scope:
    """Filters turned into SQL conditions."""

    start: datetime | None
    end: datetime | None
    region: str | None
    sector: str | None
    # The same period as whole days, for columns that hold a date; `last_day` is inclusive.
    first_day: date | None = None
    last_day: date | None = None

    def days(self, column: Any) -> list[ColumnElement[bool]]:
        conditions = []
        if self.first_day is not None:
            conditions.append(column >= self.first_day)
        if self.last_day is not None:
            conditions.append(column <= self.last_day)
        return conditions

    def period(self, column: Any) -> list[ColumnElement[bool]]:
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return conditions

    def organisation(self) -> list[ColumnElement[bool]]:
        conditions = []
        if self.region:
            conditions.append(Organisation.region == self.region)
        if self.sector:
            conditions.append(Organisation.sector == self.sector)
        return conditions


def scope_of(filters: Filters, tz: ZoneInfo) -> Scope:
    """Days are whole days in the viewer's time zone; `to` is inclusive."""

    def bound(day: date | None) -> datetime | None:
        if day is None:
            return None
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    end = bound(filters.date_to + timedelta(days=1)) if filters.date_to else None
    return Scope(
        bound(filters.date_from),
        end,
        filters.region,
        filters.sector,
        filters.date_from,
        filters.date_to,
    )


def _ratio(part: int | float, whole: int | float | None, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


# --- Funnel -------------------------------------------------------------------------------------


def _funnel_flags(scope: Scope, now: datetime) -> Any:
    """One row per organisation that submitted an application in the period, with a flag per
    later stage it reached (each judged on its own, nesting comes later)."""
    applied = (
        select(literal(1))
        .where(
            Application.organisation_id == Organisation.id,
            Application.submitted_at.is_not(None),
            *scope.period(Application.submitted_at),
        )
        .exists()
    )
    approved = (
        select(literal(1))
        .where(
            Application.organisation_id == Organisation.id,
            Application.status == ApplicationStatus.approved,
        )
        .exists()
    )
    trained = (
        select(literal(1))
        .select_from(OrganisationMember)
        .join(Certificate, Certificate.user_id == OrganisationMember.user_id)
        .join(Course, Course.id == Certificate.course_id)
        .where(
            OrganisationMember.organisation_id == Organisation.id,
            Course.investor_readiness.is_(True),
            valid_certificate(),
        )
        .exists()
    )
    met = (
        select(literal(1))
        .where(
            Meeting.organisation_id == Organisation.id,
            or_(
                and_(Meeting.status == MeetingStatus.completed, Meeting.no_show.is_(None)),
                and_(Meeting.status == MeetingStatus.scheduled, Meeting.ends_at <= now),
            ),
        )
        .exists()
    )
    funded = (
        select(literal(1)).where(Deal.organisation_id == Organisation.id, confirmed_deal()).exists()
    )
    return (
        select(
            Organisation.region.label("region"),
            Organisation.sector.label("sector"),
            approved.label("approved"),
            trained.label("trained"),
            met.label("met"),
            funded.label("funded"),
        )
        .where(applied, *scope.organisation())
        .subquery()
    )


@dataclass
class FunnelCounts:
    applied: int = 0
    approved: int = 0
    trained: int = 0
    met_investor: int = 0
    funded: int = 0

    def add(self, other: FunnelCounts) -> None:
        for stage in STAGES:
            setattr(self, stage, getattr(self, stage) + getattr(other, stage))

    def values(self) -> list[int]:
        return [getattr(self, stage) for stage in STAGES]


def funnel_groups(session: Session, scope: Scope) -> dict[tuple[str, str], FunnelCounts]:
    """The funnel per (region, sector), in one statement. Stages are nested: an organisation
    counts at a stage only if it reached every earlier one (applied → approved → completed the
    investor-readiness course → met an investor → received an investment), so every conversion
    lies between 0 and 1."""
    flags = _funnel_flags(scope, utcnow())

    def one_if(*conditions: Any) -> Any:
        return func.sum(case((and_(*conditions), 1), else_=0))

    a, t, m, f = flags.c.approved, flags.c.trained, flags.c.met, flags.c.funded
    rows = session.execute(
        select(
            flags.c.region,
            flags.c.sector,
            func.count(),
            one_if(a),
            one_if(a, t),
            one_if(a, t, m),
            one_if(a, t, m, f),
        ).group_by(flags.c.region, flags.c.sector)
    ).all()
    return {
        (region, sector): FunnelCounts(*(int(v or 0) for v in values))
        for region, sector, *values in rows
    }


def _rollup(groups: dict[tuple[str, str], FunnelCounts], axis: int) -> dict[str, FunnelCounts]:
    totals: dict[str, FunnelCounts] = defaultdict(FunnelCounts)
    for key, counts in groups.items():
        totals[key[axis]].add(counts)
    return dict(totals)


def _total(groups: Iterable[FunnelCounts]) -> FunnelCounts:
    total = FunnelCounts()
    for counts in groups:
        total.add(counts)
    return total


def stages_of(counts: FunnelCounts) -> list[StageOut]:
    values = counts.values()
    return [
        StageOut(
            stage=stage,
            count=value,
            conversion=_ratio(value, values[i - 1]) if i else None,
            overall=_ratio(value, values[0]) if i else None,
        )
        for i, (stage, value) in enumerate(zip(STAGES, values, strict=True))
    ]


def _rows(groups: dict[str, FunnelCounts]) -> list[FunnelRow]:
    ordered = sorted(groups.items(), key=lambda item: (-item[1].applied, item[0]))
    return [FunnelRow(group=name, **vars(counts)) for name, counts in ordered]


# --- Decisions and reviews ----------------------------------------------------------------------


def _cohort(scope: Scope) -> list[ColumnElement[bool]]:
    """Applications submitted in the period by organisations of the region and sector."""
    return [
        Application.submitted_at.is_not(None),
        *scope.period(Application.submitted_at),
        *scope.organisation(),
    ]


def time_to_decision(session: Session, scope: Scope) -> TimeToDecisionOut:
    """Days from (the latest) submission to the committee's decision: median and 90th
    percentile over the decided applications of the cohort."""
    days = days_between(Application.decided_at, Application.submitted_at)
    durations = (
        select(
            days.label("days"),
            func.row_number().over(order_by=days).label("rn"),
            func.count().over().label("n"),
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(
            *_cohort(scope), Application.status.in_(DECIDED), Application.decided_at.is_not(None)
        )
        .subquery()
    )
    d, rn, n = durations.c.days, durations.c.rn, durations.c.n
    count, median, p90 = session.execute(
        select(
            func.count(),
            func.sum(d * percentile_weight(rn, n, 1, 2)),
            func.sum(d * percentile_weight(rn, n, 9, 10)),
        )
    ).one()
    return TimeToDecisionOut(
        decided=int(count or 0),
        median_days=_round(median) if count else None,
        p90_days=_round(p90) if count else None,
    )


def decisions(session: Session, scope: Scope) -> DecisionsOut:
    """Approval rate: approved among the cohort's approved and rejected applications."""
    approved, rejected = session.execute(
        select(
            func.sum(case((Application.status == ApplicationStatus.approved, 1), else_=0)),
            func.sum(case((Application.status == ApplicationStatus.rejected, 1), else_=0)),
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(*_cohort(scope))
    ).one()
    approved, rejected = int(approved or 0), int(rejected or 0)
    return DecisionsOut(
        approved=approved, rejected=rejected, approval_rate=_ratio(approved, approved + rejected)
    )


def reviews(session: Session, scope: Scope) -> ReviewsOut:
    """Open reviews (`membership.queries.open_review`) on applications under review: today's
    workload, whatever the filters. Calibration: each reviewer's mean score (per review, the mean
    of the criteria of its own rubric version) against the committee's mean over the same reviews
    of the cohort."""
    load = session.execute(
        select(Assignment.reviewer_id, User.full_name, func.count())
        .join(Application, Application.id == Assignment.application_id)
        .join(User, User.id == Assignment.reviewer_id)
        .where(Application.status == ApplicationStatus.under_review, open_review())
        .group_by(Assignment.reviewer_id, User.full_name)
        .order_by(func.count().desc(), User.full_name)
    ).all()
    rows = session.execute(
        select(Assignment.reviewer_id, User.full_name, Review.scores)
        .select_from(Review)
        .join(Assignment, Assignment.id == Review.assignment_id)
        .join(Application, Application.id == Assignment.application_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .join(User, User.id == Assignment.reviewer_id)
        .where(*_cohort(scope))
        .order_by(User.full_name, Assignment.reviewer_id)
    ).all()
    # Each review's mean over the criteria of its own rubric version: 1..5 whatever the version.
    by_reviewer: dict[tuple[int, str], list[float]] = {}
    for reviewer_id, name, scores in rows:
        values = [float(v) for v in scores.values()] or [0.0]
        by_reviewer.setdefault((reviewer_id, name), []).append(sum(values) / len(values))
    total_reviews = sum(len(means) for means in by_reviewer.values())
    committee_mean = (
        sum(sum(means) for means in by_reviewer.values()) / total_reviews if total_reviews else None
    )
    calibration = []
    for (reviewer_id, name), means in by_reviewer.items():
        count, mean = len(means), sum(means) / len(means)
        calibration.append(
            ReviewerCalibration(
                reviewer_id=reviewer_id,
                full_name=name,
                reviews=int(count),
                mean_score=round(mean, 2),
                difference=round(mean - (committee_mean or 0.0), 2),
            )
        )
    return ReviewsOut(
        open_by_reviewer=[
            ReviewerLoad(reviewer_id=r, full_name=name, open_reviews=int(c)) for r, name, c in load
        ],
        committee_mean=_round(committee_mean),
        calibration=calibration,
    )


# --- Training, meetings, introductions, investment ----------------------------------------------


def _count(*conditions: Any, source: Any, joins: Sequence[tuple[Any, Any]] = ()) -> Any:
    query = select(func.count()).select_from(source)
    for target, on in joins:
        query = query.join(target, on)
    return query.where(*conditions).scalar_subquery()


def training(session: Session, scope: Scope) -> TrainingOut:
    """Over the sessions starting in the period: fill rate = seats taken / capacity; no-show rate
    = enrolled people marked absent / enrolled people whose attendance was marked. The waitlist
    is today's: people waiting for a session that has not started."""
    now = utcnow()
    in_period = scope.period(TrainingSession.starts_at)
    on_session = [(TrainingSession, TrainingSession.id == Enrolment.session_id)]
    enrolled = Enrolment.status == EnrolmentStatus.enrolled
    row = session.execute(
        select(
            _count(*in_period, source=TrainingSession),
            select(func.coalesce(func.sum(TrainingSession.capacity), 0))
            .where(*in_period)
            .scalar_subquery(),
            _count(*in_period, enrolled, source=Enrolment, joins=on_session),
            _count(
                TrainingSession.starts_at > now,
                Enrolment.status == EnrolmentStatus.waitlisted,
                source=Enrolment,
                joins=on_session,
            ),
            _count(
                *in_period,
                enrolled,
                Enrolment.attended.is_not(None),
                source=Enrolment,
                joins=on_session,
            ),
            _count(
                *in_period,
                enrolled,
                Enrolment.attended == false(),
                source=Enrolment,
                joins=on_session,
            ),
        )
    ).one()
    sessions, capacity, seats, waitlist, marked, absent = (int(v or 0) for v in row)
    return TrainingOut(
        sessions=sessions,
        capacity=capacity,
        seats_taken=seats,
        fill_rate=_ratio(seats, capacity),
        waitlist_length=waitlist,
        attendance_marked=marked,
        no_shows=absent,
        no_show_rate=_ratio(absent, marked),
    )


def meetings(session: Session, scope: Scope) -> MeetingsOut:
    """Meetings (not cancelled, starting in the period) per investor (users holding the investor
    role); acceptance rate = accepted / decided (accepted, declined or expired) requests made in
    the period."""
    on_meeting_org = [(Organisation, Organisation.id == Meeting.organisation_id)]
    on_request_org = [(Organisation, Organisation.id == MeetingRequest.organisation_id)]
    request_scope = [*scope.period(MeetingRequest.created_at), *scope.organisation()]

    def requests(*conditions: Any) -> Any:
        return _count(*request_scope, *conditions, source=MeetingRequest, joins=on_request_org)

    row = session.execute(
        select(
            _count(UserRole.role == Role.investor, source=UserRole),
            _count(
                Meeting.status != MeetingStatus.cancelled,
                *scope.period(Meeting.starts_at),
                *scope.organisation(),
                source=Meeting,
                joins=on_meeting_org,
            ),
            requests(),
            requests(MeetingRequest.status == RequestStatus.accepted),
            requests(MeetingRequest.status == RequestStatus.declined),
            requests(MeetingRequest.status == RequestStatus.expired),
        )
    ).one()
    investors, held, total, accepted, declined, expired = (int(v or 0) for v in row)
    return MeetingsOut(
        investors=investors,
        meetings=held,
        meetings_per_investor=_ratio(held, investors, 2),
        requests=total,
        requests_accepted=accepted,
        requests_declined=declined,
        requests_expired=expired,
        acceptance_rate=_ratio(accepted, accepted + declined + expired),
    )


def introductions(session: Session, scope: Scope) -> IntroductionsOut:
    """Introductions requested in the period: how many staff forwarded, partners accepted, and
    have at least one recorded outcome."""
    base = [*scope.period(Introduction.created_at), *scope.organisation()]
    on_org = [(Organisation, Organisation.id == Introduction.requester_organisation_id)]
    has_outcome = (
        select(literal(1)).where(IntroductionOutcome.introduction_id == Introduction.id).exists()
    )
    row = session.execute(
        select(
            _count(*base, source=Introduction, joins=on_org),
            _count(
                *base, Introduction.forwarded_at.is_not(None), source=Introduction, joins=on_org
            ),
            _count(*base, Introduction.accepted_at.is_not(None), source=Introduction, joins=on_org),
            _count(*base, has_outcome, source=Introduction, joins=on_org),
        )
    ).one()
    requested, forwarded, accepted, with_outcome = (int(v or 0) for v in row)
    return IntroductionsOut(
        requested=requested, forwarded=forwarded, accepted=accepted, with_outcome=with_outcome
    )


def investment(session: Session, scope: Scope) -> InvestmentOut:
    """Private investment (RUB) by the month the round closed: the confirmed deals
    (`deals.queries.confirmed_deal`) of the organisations in scope, closed in the period."""
    month = func.substr(cast(Deal.closed_on, String), 1, 7)
    rows = session.execute(
        select(month, func.count(), func.sum(Deal.amount_rub))
        .join(Organisation, Organisation.id == Deal.organisation_id)
        .where(confirmed_deal(), *scope.days(Deal.closed_on), *scope.organisation())
        .group_by(month)
        .order_by(month)
    ).all()
    by_month = [
        MonthAmount(month=str(m), deals=int(n), amount_rub=int(amount or 0))
        for m, n, amount in rows
    ]
    return InvestmentOut(
        total_rub=sum(m.amount_rub for m in by_month),
        deals=sum(m.deals for m in by_month),
        by_month=by_month,
    )


# --- The report ---------------------------------------------------------------------------------


def kpis(session: Session, *, actor: User, filters: Filters, tz: ZoneInfo) -> KpisOut:
    """Staff's report: the funnel overall, by region and by sector, and the KPIs of every
    domain, under the same filters. The observer reads it without the reviewers' names."""
    if not policies.can_view_reports(actor):
        raise Forbidden(gettext("You do not have permission to do this."))
    scope = scope_of(filters, tz)
    groups = funnel_groups(session, scope)
    return KpisOut(
        filters=FiltersOut(**filters.model_dump()),
        funnel=stages_of(_total(groups.values())),
        funnel_by_region=_rows(_rollup(groups, 0)),
        funnel_by_sector=_rows(_rollup(groups, 1)),
        time_to_decision=time_to_decision(session, scope),
        decisions=decisions(session, scope),
        reviews=reviews(session, scope)
        if policies.sees_reviewers(actor)
        else ReviewsOut(open_by_reviewer=[], committee_mean=None, calibration=[]),
        training=training(session, scope),
        meetings=meetings(session, scope),
        introductions=introductions(session, scope),
        investment=investment(session, scope),
    )


def regions(session: Session) -> list[str]:
    """The regions of organisations that have applied, for the filter's choices."""
    return list(
        session.scalars(
            select(Organisation.region)
            .join(Application, Application.organisation_id == Organisation.id)
            .where(Application.submitted_at.is_not(None))
            .distinct()
            .order_by(Organisation.region)
        )
    )


# --- The public page ----------------------------------------------------------------------------


@dataclass
class PublicGroup:
    name: str  # region or sector slug; "" for the merged small groups
    counts: FunnelCounts


@dataclass
class PublicNumbers:
    min_group_size: int
    total: FunnelCounts | None  # None when the whole cluster is below the threshold
    investment_rub: int | None
    deals: int | None
    by_region: list[PublicGroup]
    by_sector: list[PublicGroup]


def suppress_small_groups(
    groups: dict[str, FunnelCounts], minimum: int = MIN_GROUP_SIZE
) -> list[PublicGroup]:
    """Groups of at least `minimum` organisations, largest first; the smaller ones are merged into
    one "other" group. When that group would itself be smaller than `minimum` (and so could be
    recovered from the total), the smallest shown groups join it until it is large enough — or
    it is left out with them when even all of them together are too few."""
    ordered = sorted(groups.items(), key=lambda item: (-item[1].applied, item[0]))
    shown = [(name, counts) for name, counts in ordered if counts.applied >= minimum]
    hidden = [counts for _name, counts in ordered if counts.applied < minimum]
    while hidden and shown and sum(c.applied for c in hidden) < minimum:
        hidden.append(shown.pop()[1])
    result = [PublicGroup(name, counts) for name, counts in shown]
    other = _total(hidden)
    if hidden and other.applied >= minimum:
        result.append(PublicGroup("", other))
    return result


def public_numbers(session: Session, minimum: int = MIN_GROUP_SIZE) -> PublicNumbers:
    """ "The cluster in numbers": the funnel of all time, overall and by region and sector, without
    any group of fewer than `minimum` organisations; the investment attracted once it sums at least
    `minimum` deals."""
    scope = Scope(None, None, None, None)
    groups = funnel_groups(session, scope)
    total = _total(groups.values())
    if total.applied < minimum:
        return PublicNumbers(minimum, None, None, None, [], [])
    money = investment(session, scope)
    # An amount is one company's figure: it is shown only as the sum of enough deals.
    enough_deals = money.deals >= minimum
    return PublicNumbers(
        min_group_size=minimum,
        total=total,
        investment_rub=money.total_rub if enough_deals else None,
        deals=money.deals if enough_deals else None,
        by_region=suppress_small_groups(_rollup(groups, 0), minimum),
        by_sector=suppress_small_groups(_rollup(groups, 1), minimum),
    )
