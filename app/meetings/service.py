"""Business rules of investor meetings and pitch days."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import (
    ColumnElement,
    Row,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    case,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, Role, User
from app.accounts.personal_data import register_exporter
from app.audit import record
from app.config import get_settings
from app.db import json_list_has_any, utcnow
from app.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from app.i18n import N_, format_rub, gettext
from app.meetings import scheduler
from app.meetings.models import (
    MEETING_TRANSITIONS,
    REQUEST_TRANSITIONS,
    AvailabilityWindow,
    BusyInterval,
    InvestorProfile,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingStatus,
    Outcome,
    PitchDay,
    PitchMeeting,
    PitchParticipant,
    PitchWish,
    RequestStatus,
)
from app.membership import queries as membership
from app.notifications.kinds import register_kind
from app.notifications.models import OutboxMessage
from app.notifications.service import notify
from app.training import queries as training_queries
from app.vocab import Stage, sector_label, sector_slugs

MEETING_EVENT = register_kind("meetings.event", N_("Investor meetings"), essential=True)


def request_expiry_days() -> int:
    """Days a request waits for the investor's answer (`PORTAL_MEETING_REQUEST_EXPIRY_DAYS`)."""
    return get_settings().meeting_request_expiry_days


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- who is who --------------------------------------------------------------------------------


def investor_organisation(session: Session, user: User) -> Organisation | None:
    """The verified investor organisation of a user holding the investor role, if any."""
    if not user.has_role(Role.investor):
        return None
    return session.scalar(
        select(Organisation)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(
            OrganisationMember.user_id == user.id,
            Organisation.kind == OrganisationKind.investor,
            Organisation.verified_at.is_not(None),
        )
        .order_by(Organisation.id)
        .limit(1)
    )


def _require_investor(session: Session, user: User) -> Organisation:
    organisation = investor_organisation(session, user)
    if organisation is None:
        raise Forbidden(gettext("Only investors of a verified investor organisation may do this."))
    return organisation


def _user_organisation_ids(session: Session, user: User) -> set[int]:
    return set(
        session.scalars(
            select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
        )
    )


def _members_only(action: str) -> Forbidden:
    return Forbidden(gettext("Only members of the cluster may %(action)s.", action=gettext(action)))


def _require_member(session: Session, user: User, action: str) -> list[int]:
    orgs = membership.member_organisation_ids(session, user)
    if not orgs:
        raise _members_only(action)
    return orgs


def _check_readiness(session: Session, user: User) -> None:
    """Once staff flag a course as investor readiness, completing it is required."""
    if training_queries.investor_readiness_required(
        session
    ) and not training_queries.has_completed_investor_readiness(session, user):
        raise Forbidden(
            gettext("Complete the investor-readiness course before requesting a meeting.")
        )


# --- investor profiles and directory ------------------------------------------------------------


def save_profile(
    session: Session, *, actor: User, organisation_id: int, values: dict[str, Any]
) -> InvestorProfile:
    """The owner or any person of an investor organisation, or staff, edits its profile."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.investor:
        raise NotFound(gettext("Investor organisation not found."))
    if not actor.is_staff and organisation_id not in _user_organisation_ids(session, actor):
        raise NotFound(gettext("Investor organisation not found."))
    for sector in values.get("sectors", []):
        if sector not in sector_slugs():
            raise FieldError("sectors", gettext("Unknown sector: %(value)s", value=sector))
    for stage in values.get("stages", []):
        if stage not in {s.value for s in Stage}:
            raise FieldError("stages", gettext("Unknown stage: %(value)s", value=stage))
    low, high = values.get("ticket_min_rub"), values.get("ticket_max_rub")
    if low is not None and high is not None and low > high:
        raise FieldError("ticket_max_rub", gettext("The maximum ticket is below the minimum."))
    profile = session.get(InvestorProfile, organisation_id) or InvestorProfile(
        organisation_id=organisation_id
    )
    for key, value in values.items():
        setattr(profile, key, value)
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.profile_saved",
        entity_type="investor_profile",
        entity_id=organisation_id,
    )
    return profile


@dataclass
class InvestorCard:
    user: User
    organisation: Organisation
    profile: InvestorProfile | None
    contact_visible: bool


def _organisation_ids_of(user: User) -> Select[int]:
    """The user's organisations, as a subquery for the statement that needs them."""
    return select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)


def _met_by(viewer: User) -> ColumnElement[bool]:
    """Per investor row: an organisation of `viewer` has a meeting (not cancelled) with them.
    Asked only for the cards of one page (`_cards_of`), not for every investor."""
    return (
        select(Meeting.id)
        .where(
            Meeting.organisation_id.in_(_organisation_ids_of(viewer)),
            Meeting.investor_id == User.id,
            Meeting.status != MeetingStatus.cancelled,
        )
        .exists()
    )


def _contact_visible(viewer: User | None) -> ColumnElement[bool]:
    """Per investor row: staff, the investor themself, or an organisation of `viewer` that met
    them may see the contact."""
    if viewer is None:
        return false()
    if viewer.is_staff:
        return true()
    return or_(User.id == viewer.id, _met_by(viewer))


def _investors(investor_id: int | None = None) -> Select[int, int]:
    """The directory, narrow: each active investor of a verified investor organisation and their
    first (lowest id) such organisation. Ranking, counting and paging read only this; the cards
    are then read for one page (`_cards_of`)."""
    from app.accounts.models import UserRole

    investor_organisations = select(Organisation.id).where(
        Organisation.kind == OrganisationKind.investor, Organisation.verified_at.is_not(None)
    )
    first_organisation = (
        select(
            OrganisationMember.user_id,
            func.min(OrganisationMember.organisation_id).label("organisation_id"),
        )
        # An IN list, not a join: the few investor organisations drive the lookup of their
        # members, rather than every membership of every organisation being read.
        .where(OrganisationMember.organisation_id.in_(investor_organisations))
        .group_by(OrganisationMember.user_id)
        .subquery()
    )
    user_id = first_organisation.c.user_id
    statement = (
        select(user_id, first_organisation.c.organisation_id)
        .join(UserRole, (UserRole.user_id == user_id) & (UserRole.role == Role.investor))
        .join(User, User.id == user_id)
        .where(User.is_active.is_(True))
    )
    return statement if investor_id is None else statement.where(user_id == investor_id)


def _cards_of(page: Subquery, viewer: User | None) -> Select[Any]:
    """The card of each investor in `page` (a subquery of `_investors` rows), with any further
    columns of the page."""
    extra = [column for column in page.c if column.key not in ("user_id", "organisation_id")]
    return (
        select(
            User, Organisation, InvestorProfile, _contact_visible(viewer).label("visible"), *extra
        )
        .join(page, page.c.user_id == User.id)
        .join(Organisation, Organisation.id == page.c.organisation_id)
        .outerjoin(InvestorProfile, InvestorProfile.organisation_id == Organisation.id)
        # Their roles are not shown; loading them would cost a statement.
        .options(lazyload(User.role_rows))
    )


def _card(row: Row[*tuple[Any, ...]]) -> InvestorCard:
    return InvestorCard(row.User, row.Organisation, row.InvestorProfile, bool(row.visible))


def _one_card(session: Session, viewer: User | None, investor_id: int) -> InvestorCard:
    row = session.execute(_cards_of(_investors(investor_id).subquery(), viewer)).first()
    if row is None:
        raise NotFound(gettext("Investor not found."))
    return _card(row)


def _total(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _require_directory_access(session: Session, actor: User) -> None:
    if not actor.is_staff:
        _require_member(session, actor, N_("see the investors"))


def investor_directory(
    session: Session, *, actor: User, limit: int, offset: int = 0
) -> tuple[list[InvestorCard], int]:
    """Members (and staff) see the investors of verified investor organisations; one page of
    cards and the total."""
    _require_directory_access(session, actor)
    investors = _investors()
    page = investors.order_by(investors.selected_columns.user_id).limit(limit).offset(offset)
    rows = session.execute(_cards_of(page.subquery(), actor).order_by(User.id))
    return [_card(row) for row in rows], _total(session, investors)


def investor_card(session: Session, *, actor: User, investor_id: int) -> InvestorCard:
    """One investor of the directory, behind the same members-only gate; else 404."""
    _require_directory_access(session, actor)
    return _one_card(session, actor, investor_id)


def get_investor(session: Session, investor_id: int) -> tuple[User, Organisation]:
    card = _one_card(session, None, investor_id)
    return card.user, card.organisation


_AMOUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,3}(?:,\d{3})+(?![\d,])|\d+)"
    r"(?:[.,](\d{1,3}))?\s*"
    r"(млрд|миллиард\w*|billion|bn|млн|миллион\w*|million|mln|mio|тыс\w*|thousand|k|m)?"
    r"(?![a-zа-яё])",
    re.IGNORECASE,
)
_MULTIPLIERS = (
    (("млрд", "миллиард", "billion", "bn"), 10**9),
    (("млн", "миллион", "million", "mln", "mio", "m"), 10**6),
    (("тыс", "thousand", "k"), 10**3),
)


def parse_rub_amount(text: str | None) -> int | None:
    """A sum of money in free text: "15 млн руб.", "2,5 million", "RUB 3 000 000", "500k".

    The first amount with a unit (thousand, million, billion) wins; otherwise the largest bare
    number of at least 10 000 (so that years and counts are not read as money). None if absent.
    """
    if not text:
        return None
    bare: list[int] = []
    for match in _AMOUNT.finditer(text[:5000]):
        whole, fraction, unit = match.groups()
        digits = re.sub(r"[ \u00a0\u202f,]", "", whole)
        if unit:
            word = unit.lower()
            factor = next(f for names, f in _MULTIPLIERS if any(word.startswith(n) for n in names))
            value = int(digits) * factor
            if fraction:
                value += int(fraction) * factor // 10 ** len(fraction)
            return value if 0 < value <= 10**15 else None
        if not fraction and 10_000 <= int(digits) <= 10**15:
            bare.append(int(digits))
    return max(bare) if bare else None


def _latest_funding_needs() -> ScalarSelect[str | None]:
    """The funding needs of the latest application of the `Organisation` in the outer query."""
    from app.membership.models import Application

    return (
        select(Application.funding_needs)
        .where(Application.organisation_id == Organisation.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Seeker:
    """The member organisation investors are ranked for, and its funding need."""

    organisation: Organisation
    need_rub: int | None
    need_from_application: bool

    @property
    def stage(self) -> Stage | None:
        return Stage(self.organisation.stage) if self.organisation.stage in set(Stage) else None


@dataclass(frozen=True)
class Fit:
    """Why an investor suits a seeker; `score` orders the recommendations."""

    score: int
    sector: bool
    stage: bool
    near_stage: bool
    ticket: bool


# Points of each kind of fit (a neighbouring stage counts only without the exact one).
FIT_POINTS = {"sector": 3, "stage": 2, "near_stage": 1, "ticket": 2}


def recommendations(
    session: Session, *, actor: User, limit: int, offset: int = 0, need_rub: int | None = None
) -> tuple[list[tuple[InvestorCard, Fit, list[str]]], int]:
    """Investors ranked by fit with the member's organisation: sector, stage and ticket size;
    one page and the total.

    The funding need is `need_rub` when given, else the sum read from the funding needs of the
    organisation's latest membership application; without either, ticket size adds nothing."""
    orgs = _require_member(session, actor, N_("see investor recommendations"))
    return _ranked(session, actor, _seeker(session, orgs[0], need_rub), limit, offset)


def investors_for(
    session: Session, *, actor: User, limit: int, offset: int = 0
) -> tuple[list[tuple[InvestorCard, list[str]]], int]:
    """The directory as the investors page shows it: members see it ranked by fit, with the
    reasons (`recommendations`); staff outside any member organisation see it in order."""
    orgs = membership.member_organisation_ids(session, actor)
    if orgs:
        ranked, total = _ranked(session, actor, _seeker(session, orgs[0]), limit, offset)
        return [(card, reasons) for card, _fit, reasons in ranked], total
    if not actor.is_staff:
        raise _members_only(N_("see the investors"))
    cards, total = investor_directory(session, actor=actor, limit=limit, offset=offset)
    return [(card, []) for card in cards], total


def _seeker(session: Session, organisation_id: int, need_rub: int | None = None) -> Seeker:
    if need_rub is not None:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        return Seeker(organisation, need_rub, need_from_application=False)
    organisation, funding_needs = session.execute(
        select(Organisation, _latest_funding_needs()).where(Organisation.id == organisation_id)
    ).one()
    need_rub = parse_rub_amount(funding_needs)
    return Seeker(organisation, need_rub, need_from_application=need_rub is not None)


def _fit_columns(session: Session, seeker: Seeker) -> dict[str, ColumnElement[int]]:
    """Each kind of fit as a 0/1 column of the directory statement, and their `score`."""
    organisation, need, stage = seeker.organisation, seeker.need_rub, seeker.stage
    order = list(Stage)
    neighbours = (
        []
        if stage is None
        else [s.value for s in order if abs(order.index(s) - order.index(stage)) == 1]
    )
    profile = InvestorProfile
    at_stage = json_list_has_any(session, profile.stages, [stage.value] if stage else [])
    conditions: dict[str, ColumnElement[bool]] = {
        "sector": json_list_has_any(
            session, profile.sectors, [organisation.sector] if organisation.sector else []
        ),
        "stage": at_stage,
        "near_stage": and_(~at_stage, json_list_has_any(session, profile.stages, neighbours)),
        "ticket": false()
        if need is None
        else and_(
            or_(profile.ticket_min_rub.is_not(None), profile.ticket_max_rub.is_not(None)),
            or_(profile.ticket_min_rub.is_(None), profile.ticket_min_rub <= need),
            or_(profile.ticket_max_rub.is_(None), profile.ticket_max_rub >= need),
        ),
    }
    flags = {name: case((condition, 1), else_=0) for name, condition in conditions.items()}
    score = sum((FIT_POINTS[name] * flag for name, flag in flags.items()), literal(0))
    return {**flags, "score": score}


def _ranked(
    session: Session, actor: User, seeker: Seeker, limit: int, offset: int
) -> tuple[list[tuple[InvestorCard, Fit, list[str]]], int]:
    """One page of the directory ranked for `seeker` (the gate already passed): the database
    ranks the narrow rows of `_investors` and reads the cards of one page."""
    investors = _investors()
    user_id, organisation_id = investors.selected_columns
    columns = _fit_columns(session, seeker)
    page = (
        investors.outerjoin(InvestorProfile, InvestorProfile.organisation_id == organisation_id)
        .add_columns(*(column.label(f"fit_{name}") for name, column in columns.items()))
        .order_by(columns["score"].desc(), user_id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    statement = _cards_of(page, actor).order_by(page.c.fit_score.desc(), User.id)
    rows, total = list(session.execute(statement)), _total(session, investors)
    ticket_reason = _ticket_reason(seeker) if any(row.fit_ticket for row in rows) else ""
    ranked = []
    for row in rows:
        fit = Fit(
            score=int(row.fit_score),
            sector=bool(row.fit_sector),
            stage=bool(row.fit_stage),
            near_stage=bool(row.fit_near_stage),
            ticket=bool(row.fit_ticket),
        )
        ranked.append((_card(row), fit, _reasons(seeker, fit, ticket_reason)))
    return ranked, total


def _ticket_reason(seeker: Seeker) -> str:
    if seeker.need_from_application and seeker.need_rub is not None:
        return gettext(
            "The funding need in your application (%(amount)s) fits the ticket size",
            amount=format_rub(seeker.need_rub),
        )
    return gettext("Your funding need fits the ticket size")


def _reasons(seeker: Seeker, fit: Fit, ticket_reason: str) -> list[str]:
    organisation = seeker.organisation
    reasons = []
    if fit.sector:
        reasons.append(
            gettext("Invests in your sector: %(sector)s", sector=sector_label(organisation.sector))
        )
    if fit.stage and seeker.stage is not None:
        reasons.append(gettext("Invests at your stage: %(stage)s", stage=seeker.stage.label))
    elif fit.near_stage:
        reasons.append(gettext("Invests at a neighbouring stage"))
    if fit.ticket:
        reasons.append(ticket_reason)
    return reasons


# --- availability ------------------------------------------------------------------------------


def add_availability(
    session: Session, *, actor: User, starts_at: datetime, ends_at: datetime, slot_minutes: int
) -> AvailabilityWindow:
    """An investor publishes a window of slots; reversed or overlapping windows are refused."""
    _require_investor(session, actor)
    if ends_at <= starts_at:
        raise FieldError("ends_at", gettext("The window must end after it starts."))
    if ends_at - starts_at < timedelta(minutes=slot_minutes):
        raise FieldError("slot_minutes", gettext("The window is shorter than one slot."))
    if ends_at - starts_at > timedelta(days=31):
        raise FieldError("ends_at", gettext("A window may last at most 31 days."))
    overlap = session.scalar(
        select(AvailabilityWindow.id)
        .where(
            AvailabilityWindow.investor_id == actor.id,
            AvailabilityWindow.starts_at < ends_at,
            AvailabilityWindow.ends_at > starts_at,
        )
        .limit(1)
    )
    if overlap is not None:
        raise FieldError("starts_at", gettext("The window overlaps one you already published."))
    window = AvailabilityWindow(
        investor_id=actor.id,
        starts_at=starts_at.astimezone(UTC),
        ends_at=ends_at.astimezone(UTC),
        slot_minutes=slot_minutes,
    )
    session.add(window)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.availability_added",
        entity_type="availability",
        entity_id=window.id,
    )
    return window


def list_availability(session: Session, *, actor: User) -> list[AvailabilityWindow]:
    """The investor's own windows that have not ended yet, earliest first."""
    _require_investor(session, actor)
    return _windows_of(session, actor.id, utcnow())


def _windows_of(session: Session, investor_id: int, now: datetime) -> list[AvailabilityWindow]:
    return list(
        session.scalars(
            select(AvailabilityWindow)
            .where(AvailabilityWindow.investor_id == investor_id, AvailabilityWindow.ends_at > now)
            .order_by(AvailabilityWindow.starts_at)
        )
    )


@dataclass
class Inbox:
    requests: list[MeetingRequest]  # open, addressed to the investor, newest first
    slots: list[tuple[datetime, datetime]]  # the investor's free slots
    windows: list[AvailabilityWindow]  # published and not ended (investors only)
    is_investor: bool  # of a verified investor organisation


def investor_inbox(session: Session, *, actor: User) -> Inbox:
    """What an investor answers requests from: the open requests addressed to them, their free
    slots and, in a verified investor organisation, their published windows."""
    now = utcnow()
    requests = list(
        session.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.investor_id == actor.id,
                MeetingRequest.status == RequestStatus.requested,
            )
            .order_by(MeetingRequest.id.desc())
        )
    )
    is_investor = investor_organisation(session, actor) is not None
    windows = _windows_of(session, actor.id, now)
    slots = _open_slots([actor.id], windows, _busy_times(session, [actor.id], now), now, 500)
    return Inbox(requests, slots[actor.id], windows if is_investor else [], is_investor)


def _slot_at(session: Session, investor_id: int, starts_at: datetime) -> tuple[datetime, datetime]:
    """The slot of the investor's availability that starts exactly at `starts_at`."""
    starts_at = starts_at.astimezone(UTC)
    windows = session.scalars(
        select(AvailabilityWindow).where(
            AvailabilityWindow.investor_id == investor_id,
            AvailabilityWindow.starts_at <= starts_at,
            AvailabilityWindow.ends_at > starts_at,
        )
    ).all()
    for window in windows:
        step = timedelta(minutes=window.slot_minutes)
        offset = starts_at - window.starts_at
        if offset % step == timedelta(0) and starts_at + step <= window.ends_at:
            return starts_at, starts_at + step
    raise FieldError(
        "starts_at", gettext("This time is not one of the investor's available slots.")
    )


def _future_slot(
    session: Session, investor_id: int, starts_at: datetime
) -> tuple[datetime, datetime]:
    slot = _slot_at(session, investor_id, starts_at)
    if slot[0] < utcnow():
        raise FieldError("starts_at", gettext("This time is in the past."))
    return slot


def free_slots(
    session: Session, investor_id: int, *, now: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    return free_slots_of(session, [investor_id], now=now).get(investor_id, [])


def free_slots_of(
    session: Session, investor_ids: list[int], *, now: datetime | None = None, limit: int = 500
) -> dict[int, list[tuple[datetime, datetime]]]:
    """The open slots of several investors in two queries: availability minus busy time."""
    now = now or utcnow()
    if not investor_ids:
        return {}
    busy = _busy_times(session, investor_ids, now)
    windows = session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.investor_id.in_(investor_ids), AvailabilityWindow.ends_at > now)
        .order_by(AvailabilityWindow.starts_at)
    )
    return _open_slots(investor_ids, windows, busy, now, limit)


def _busy_times(
    session: Session, investor_ids: list[int], now: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    participants = {f"user:{i}": i for i in investor_ids}
    busy: dict[int, list[tuple[datetime, datetime]]] = {i: [] for i in investor_ids}
    for participant, starts_at, ends_at in session.execute(
        select(BusyInterval.participant, BusyInterval.starts_at, BusyInterval.ends_at).where(
            BusyInterval.participant.in_(participants), BusyInterval.ends_at > now
        )
    ):
        busy[participants[participant]].append((starts_at, ends_at))
    return busy


def _open_slots(
    investor_ids: list[int],
    windows: Iterable[AvailabilityWindow],
    busy: dict[int, list[tuple[datetime, datetime]]],
    now: datetime,
    limit: int,
) -> dict[int, list[tuple[datetime, datetime]]]:
    """The slots of `windows` (earliest first) that start from `now` and meet no busy time."""
    slots: dict[int, list[tuple[datetime, datetime]]] = {i: [] for i in investor_ids}
    for window in windows:
        found, taken = slots[window.investor_id], busy[window.investor_id]
        step = timedelta(minutes=window.slot_minutes)
        start = window.starts_at
        while start + step <= window.ends_at and len(found) < limit:
            end = start + step
            if start >= now and not any(b0 < end and b1 > start for b0, b1 in taken):
                found.append((start, end))
            start = end
    return slots


# --- requests ----------------------------------------------------------------------------------


def _transition_request(
    session: Session, request: MeetingRequest, to: RequestStatus, actor: User | None, **data: Any
) -> None:
    if to not in REQUEST_TRANSITIONS[request.status]:
        raise InvalidTransition(
            gettext(
                "The request is %(status)s; this is no longer possible.",
                status=request.status.label,
            )
        )
    record(
        session,
        actor_id=actor.id if actor else None,
        action=f"meetings.request_{to.value}",
        entity_type="meeting_request",
        entity_id=request.id,
        data={"from": request.status.value, **data},
    )
    request.status = to
    request.decided_at = utcnow()


def _notify_org(session: Session, organisation_id: int, **kwargs: Any) -> None:
    users = session.scalars(
        select(User)
        .join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id == organisation_id)
    ).all()
    key = kwargs.pop("key")
    for user in users:
        notify(
            session,
            recipient=user,
            kind=MEETING_EVENT,
            template="meetings/event",
            key=f"{key}:{user.id}",
            **kwargs,
        )


def _notify_investor(
    session: Session,
    investor_id: int,
    *,
    key: str,
    context: dict[str, Any],
    link: str = "/investor-inbox",
) -> None:
    investor = session.get(User, investor_id)
    if investor is not None:
        notify(
            session,
            recipient=investor,
            kind=MEETING_EVENT,
            template="meetings/event",
            key=key,
            context=context,
            link=link,
        )


def _context(
    session: Session, request_or_meeting: MeetingRequest | Meeting, event: str, **extra: Any
) -> dict[str, Any]:
    organisation = session.get(Organisation, request_or_meeting.organisation_id)
    investor = session.get(User, request_or_meeting.investor_id)
    return {
        "event": event,
        "organisation_name": organisation.name if organisation else "",
        "investor_name": investor.full_name if investor else "",
        **extra,
    }


def create_request(
    session: Session,
    *,
    actor: User,
    investor_id: int,
    message: str,
    organisation_id: int | None = None,
    starts_at: datetime | None = None,
) -> MeetingRequest:
    """Only members (and, if such a course exists, graduates of investor readiness) may ask a
    verified investor for a meeting; one open request per organisation and investor. A proposed
    slot is held for both sides until the request is decided, expires or is withdrawn."""
    orgs = _require_member(session, actor, N_("request meetings with investors"))
    _check_readiness(session, actor)
    if organisation_id is None:
        if len(orgs) > 1:
            raise FieldError("organisation_id", gettext("Choose the organisation you represent."))
        organisation_id = orgs[0]
    elif organisation_id not in orgs:
        raise Forbidden(gettext("This organisation has no active membership of yours."))
    investor, _org = get_investor(session, investor_id)
    open_request = session.scalar(
        select(MeetingRequest.id).where(
            MeetingRequest.investor_id == investor_id,
            MeetingRequest.organisation_id == organisation_id,
            MeetingRequest.status == RequestStatus.requested,
        )
    )
    if open_request is not None:
        raise Conflict(gettext("Your organisation already has an open request to this investor."))
    slot = _future_slot(session, investor_id, starts_at) if starts_at is not None else None
    request = MeetingRequest(
        investor_id=investor_id,
        organisation_id=organisation_id,
        requester_id=actor.id,
        message=message,
        starts_at=slot[0] if slot else None,
        ends_at=slot[1] if slot else None,
        expires_at=utcnow() + timedelta(days=request_expiry_days()),
    )
    session.add(request)
    session.flush()
    if slot is not None:
        _hold(session, investor_id, organisation_id, slot, request_id=request.id)
    record(
        session,
        actor_id=actor.id,
        action="meetings.request_created",
        entity_type="meeting_request",
        entity_id=request.id,
    )
    notify(
        session,
        recipient=investor,
        kind=MEETING_EVENT,
        template="meetings/event",
        key=f"meetings.request.{request.id}.created",
        context=_context(
            session, request, "requested", message=message, starts_at=request.starts_at
        ),
        link="/investor-inbox",
    )
    return request


PDF_MAGIC = b"%PDF-"


def _deck_dir() -> Path:
    folder = get_settings().upload_dir / "meetings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_filename(name: str | None) -> str:
    base = Path(name or "").name
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .") or "deck"
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    return base[-120:]


def attach_deck(
    session: Session, *, actor: User, request_id: int, filename: str | None, stream: BinaryIO
) -> MeetingRequest:
    """A person of the requesting organisation attaches a pitch deck to an open request: PDF
    only, recognised by its first bytes (415), at most `max_upload_bytes` (413). A new deck
    replaces the old one. Only the investor, the organisation and staff can open it."""
    request = get_request(session, actor=actor, request_id=request_id, lock=True)
    if request.organisation_id not in _user_organisation_ids(session, actor):
        raise Forbidden(gettext("Only the requesting organisation may attach a deck."))
    if request.status != RequestStatus.requested:
        raise InvalidTransition(gettext("A deck can be attached only to an open request."))
    limit = get_settings().max_upload_bytes
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(gettext("The file is larger than 10 MB."))
    if not content.startswith(PDF_MAGIC):
        raise UnsupportedMediaType(gettext("Only PDF documents can be attached."))
    old = request.deck_stored_name
    stored_name = f"{secrets.token_hex(16)}.pdf"
    (_deck_dir() / stored_name).write_bytes(content)
    request.deck_filename = _clean_filename(filename)
    request.deck_stored_name = stored_name
    request.deck_size = len(content)
    session.flush()
    if old:
        (_deck_dir() / old).unlink(missing_ok=True)
    record(
        session,
        actor_id=actor.id,
        action="meetings.deck_attached",
        entity_type="meeting_request",
        entity_id=request.id,
        data={"size": len(content)},
    )
    return request


def open_deck(session: Session, *, actor: User, request_id: int) -> tuple[MeetingRequest, Path]:
    """The deck opens to the investor addressed, the requesting organisation and staff."""
    request = get_request(session, actor=actor, request_id=request_id)
    if not request.deck_stored_name:
        raise NotFound(gettext("Document not found."))
    path = _deck_dir() / request.deck_stored_name
    if not path.is_file():
        raise NotFound(gettext("Document not found."))
    return request, path


def can_view_request(session: Session, user: User, request: MeetingRequest) -> bool:
    return (
        user.is_staff
        or request.investor_id == user.id
        or request.organisation_id in _user_organisation_ids(session, user)
    )


def get_request(
    session: Session, *, actor: User, request_id: int, lock: bool = False
) -> MeetingRequest:
    statement = select(MeetingRequest).where(MeetingRequest.id == request_id)
    if lock and _is_postgres(session):
        statement = statement.with_for_update()
    request = session.scalar(statement)
    if request is None or not can_view_request(session, actor, request):
        raise NotFound(gettext("Meeting request not found."))
    return request


def _get_answerable(session: Session, actor: User, request_id: int) -> MeetingRequest:
    """The investor addressed, or staff; anyone else (the requester too) sees a 404."""
    request = get_request(session, actor=actor, request_id=request_id, lock=True)
    if not (actor.is_staff or request.investor_id == actor.id):
        raise NotFound(gettext("Meeting request not found."))
    if request.status == RequestStatus.requested and request.expires_at <= utcnow():
        raise InvalidTransition(gettext("The request has expired."))
    return request


def list_requests(
    session: Session, *, actor: User, sent_only: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[MeetingRequest], int]:
    """One page of the requests the caller may see (newest first) and their total; `sent_only`
    keeps the requests of the caller's organisations, not those addressed to the caller."""
    mine = MeetingRequest.organisation_id.in_(_organisation_ids_of(actor))
    statement = select(MeetingRequest)
    if sent_only:
        statement = statement.where(mine, MeetingRequest.investor_id != actor.id)
    elif not actor.is_staff:
        statement = statement.where(
            MeetingRequest.id.in_(
                union(
                    select(MeetingRequest.id).where(MeetingRequest.investor_id == actor.id),
                    select(MeetingRequest.id).where(mine),
                )
            )
        )
    return _page(session, statement, (MeetingRequest.id.desc(),), limit, offset)


def _page(
    session: Session, statement: Select[Any], order: tuple[Any, ...], limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of the entities `statement` selects, and how many there are in all."""
    rows = session.scalars(statement.order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), _total(session, statement)


def _hold(
    session: Session,
    investor_id: int,
    organisation_id: int,
    slot: tuple[datetime, datetime],
    *,
    meeting_id: int | None = None,
    request_id: int | None = None,
) -> None:
    """Hold the slot for both sides (for a meeting or for a pending request), or refuse with
    409 if either is busy then.

    The check gives a clear answer in the common case; the exclusion constraint (PostgreSQL) and
    the serialised writers (SQLite) make it hold under concurrent requests.
    """
    starts_at, ends_at = slot
    participants = [f"user:{investor_id}", f"org:{organisation_id}"]
    clash = session.scalar(
        select(BusyInterval.participant)
        .where(
            BusyInterval.participant.in_(participants),
            BusyInterval.starts_at < ends_at,
            BusyInterval.ends_at > starts_at,
        )
        .limit(1)
    )
    if clash is not None:
        raise Conflict(_busy_message(clash))
    try:
        with session.begin_nested():
            for participant in participants:
                session.add(
                    BusyInterval(
                        meeting_id=meeting_id,
                        request_id=request_id,
                        participant=participant,
                        starts_at=starts_at,
                        ends_at=ends_at,
                    )
                )
            session.flush()
    except IntegrityError as error:
        raise Conflict(gettext("This time has just been booked; choose another slot.")) from error


def _book(session: Session, meeting: Meeting) -> None:
    _hold(
        session,
        meeting.investor_id,
        meeting.organisation_id,
        (meeting.starts_at, meeting.ends_at),
        meeting_id=meeting.id,
    )


def _busy_message(participant: str) -> str:
    if participant.startswith("user:"):
        return gettext("The investor already has a meeting at this time.")
    return gettext("The organisation already has a meeting at this time.")


def _release(session: Session, meeting: Meeting) -> None:
    session.execute(delete(BusyInterval).where(BusyInterval.meeting_id == meeting.id))
    session.flush()


def _release_hold(session: Session, request: MeetingRequest) -> None:
    session.execute(delete(BusyInterval).where(BusyInterval.request_id == request.id))
    session.flush()


def accept_request(
    session: Session, *, actor: User, request_id: int, starts_at: datetime | None = None
) -> Meeting:
    """The investor (or staff) accepts into one of the investor's free slots, by default the one
    the request holds; no double booking."""
    request = _get_answerable(session, actor, request_id)
    if request.status != RequestStatus.requested:
        _transition_request(session, request, RequestStatus.accepted, actor)
    if starts_at is None:
        if request.starts_at is None:
            raise FieldError("starts_at", gettext("Choose a slot."))
        starts_at = request.starts_at
    start, end = _future_slot(session, request.investor_id, starts_at)
    _release_hold(session, request)
    meeting = Meeting(
        uid=f"meeting-{uuid.uuid4()}@cluster-portal",
        request_id=request.id,
        investor_id=request.investor_id,
        organisation_id=request.organisation_id,
        starts_at=start,
        ends_at=end,
    )
    session.add(meeting)
    session.flush()
    _book(session, meeting)
    _transition_request(session, request, RequestStatus.accepted, actor, meeting_id=meeting.id)
    _notify_org(
        session,
        request.organisation_id,
        key=f"meetings.request.{request.id}.accepted",
        context=_context(session, request, "accepted", starts_at=start),
        link=f"/meetings/{meeting.id}",
    )
    return meeting


def decline_request(
    session: Session, *, actor: User, request_id: int, reason: str
) -> MeetingRequest:
    """The investor (or staff) declines with a reason the requester sees."""
    request = _get_answerable(session, actor, request_id)
    _transition_request(session, request, RequestStatus.declined, actor, reason=reason)
    request.reason = reason
    _release_hold(session, request)
    _notify_org(
        session,
        request.organisation_id,
        key=f"meetings.request.{request.id}.declined",
        context=_context(session, request, "declined", reason=reason),
        link="/meetings",
    )
    return request


def withdraw_request(session: Session, *, actor: User, request_id: int) -> MeetingRequest:
    """The requesting organisation takes back a pending request and frees the slot it holds."""
    request = get_request(session, actor=actor, request_id=request_id, lock=True)
    if request.organisation_id not in _user_organisation_ids(session, actor):
        raise Forbidden(gettext("Only the requesting organisation may withdraw its request."))
    _transition_request(session, request, RequestStatus.withdrawn, actor)
    _release_hold(session, request)
    _notify_investor(
        session,
        request.investor_id,
        key=f"meetings.request.{request.id}.withdrawn",
        context=_context(session, request, "withdrawn"),
    )
    return request


def expire_requests(session: Session, now: datetime) -> int:
    """Pending requests past their deadline expire; both sides are told."""
    due = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.requested, MeetingRequest.expires_at <= now
        )
    ).all()
    for request in due:
        _transition_request(session, request, RequestStatus.expired, None)
        _release_hold(session, request)
        context = _context(session, request, "expired")
        _notify_org(
            session,
            request.organisation_id,
            key=f"meetings.request.{request.id}.expired",
            context=context,
            link="/meetings",
        )
        _notify_investor(
            session,
            request.investor_id,
            key=f"meetings.request.{request.id}.expired:investor",
            context=context,
        )
    session.flush()
    return len(due)


def remind_pending(session: Session, now: datetime) -> int:
    """One reminder to the investor when a pending request has two days left."""
    due = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.requested,
            MeetingRequest.reminded_at.is_(None),
            MeetingRequest.expires_at > now,
            MeetingRequest.expires_at <= now + timedelta(days=2),
        )
    ).all()
    for request in due:
        _notify_investor(
            session,
            request.investor_id,
            key=f"meetings.request.{request.id}.reminder",
            context=_context(session, request, "reminder", expires_at=request.expires_at),
        )
        request.reminded_at = now
    session.flush()
    return len(due)


def remind_upcoming_meetings(session: Session, now: datetime) -> int:
    """Both sides of a scheduled meeting hear about it once, 24 hours before it starts; the key
    carries the meeting's sequence, so a rescheduled meeting is announced again."""
    meetings = session.scalars(
        select(Meeting).where(
            Meeting.status == MeetingStatus.scheduled,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(hours=24),
        )
    ).all()
    queued = 0
    for meeting in meetings:
        context = _context(session, meeting, "upcoming", starts_at=meeting.starts_at)
        people = session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(OrganisationMember.organisation_id == meeting.organisation_id)
        ).all()
        investor = session.get(User, meeting.investor_id)
        prefix = f"meetings.meeting.{meeting.id}.{meeting.sequence}.upcoming."
        already = set(
            session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.startswith(prefix)
                )
            )
        )
        for person in [*([investor] if investor else []), *people]:
            key = f"{prefix}{person.id}"
            if key in already:
                continue
            notify(
                session,
                recipient=person,
                kind=MEETING_EVENT,
                template="meetings/event",
                key=key,
                context=context,
                link="/meetings",
            )
            queued += 1
    return queued


# --- meetings ----------------------------------------------------------------------------------


def can_view_meeting(session: Session, user: User, meeting: Meeting) -> bool:
    return (
        user.is_staff
        or meeting.investor_id == user.id
        or meeting.organisation_id in _user_organisation_ids(session, user)
    )


def get_meeting(session: Session, *, actor: User, meeting_id: int, lock: bool = False) -> Meeting:
    statement = select(Meeting).where(Meeting.id == meeting_id)
    if lock and _is_postgres(session):
        statement = statement.with_for_update()
    meeting = session.scalar(statement)
    if meeting is None or not can_view_meeting(session, actor, meeting):
        raise NotFound(gettext("Meeting not found."))
    return meeting


def list_meetings(
    session: Session,
    *,
    actor: User,
    with_feedback: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Meeting], int]:
    """One page of the caller's meetings (as the investor or through any of their
    organisations), earliest first, and their total."""
    # A union of two index lookups: an OR of them makes PostgreSQL read every meeting.
    statement = select(Meeting).where(
        Meeting.id.in_(
            union(
                select(Meeting.id).where(Meeting.investor_id == actor.id),
                select(Meeting.id).where(Meeting.organisation_id.in_(_organisation_ids_of(actor))),
            )
        )
    )
    if not with_feedback:
        statement = statement.options(lazyload(Meeting.feedback))
    return _page(session, statement, (Meeting.starts_at, Meeting.id), limit, offset)


def _transition_meeting(
    session: Session, meeting: Meeting, to: MeetingStatus, actor: User, **data: Any
) -> None:
    if to not in MEETING_TRANSITIONS[meeting.status]:
        raise InvalidTransition(
            gettext(
                "The meeting is %(status)s; this is no longer possible.",
                status=meeting.status.label,
            )
        )
    record(
        session,
        actor_id=actor.id,
        action=f"meetings.meeting_{to.value}",
        entity_type="meeting",
        entity_id=meeting.id,
        data={"from": meeting.status.value, **data},
    )
    meeting.status = to
    meeting.updated_at = utcnow()


def _notify_both(session: Session, meeting: Meeting, event: str, key: str) -> None:
    context = _context(session, meeting, event, starts_at=meeting.starts_at)
    _notify_org(
        session, meeting.organisation_id, key=key, context=context, link=f"/meetings/{meeting.id}"
    )
    _notify_investor(
        session,
        meeting.investor_id,
        key=f"{key}:investor",
        context=context,
        link=f"/meetings/{meeting.id}",
    )


def cancel_meeting(
    session: Session, *, actor: User, meeting_id: int, reason: str | None
) -> Meeting:
    """Either side or staff cancels; the time is freed and the calendar SEQUENCE increases."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    _transition_meeting(session, meeting, MeetingStatus.cancelled, actor, reason=reason)
    meeting.cancel_reason = reason
    meeting.sequence += 1
    _release(session, meeting)
    _notify_both(session, meeting, "cancelled", f"meetings.meeting.{meeting.id}.cancelled")
    return meeting


def reschedule_meeting(
    session: Session, *, actor: User, meeting_id: int, starts_at: datetime
) -> Meeting:
    """The investor or staff moves a scheduled meeting into another free slot."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    if not (actor.is_staff or meeting.investor_id == actor.id):
        raise Forbidden(gettext("Only the investor or staff may reschedule a meeting."))
    if meeting.status != MeetingStatus.scheduled:
        raise InvalidTransition(gettext("Only a scheduled meeting can be rescheduled."))
    start, end = _future_slot(session, meeting.investor_id, starts_at)
    _release(session, meeting)
    old = meeting.starts_at
    meeting.starts_at, meeting.ends_at = start, end
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.flush()
    _book(session, meeting)
    record(
        session,
        actor_id=actor.id,
        action="meetings.meeting_rescheduled",
        entity_type="meeting",
        entity_id=meeting.id,
        data={"from": old, "to": start},
    )
    _notify_both(
        session,
        meeting,
        "rescheduled",
        f"meetings.meeting.{meeting.id}.rescheduled.{meeting.sequence}",
    )
    return meeting


def _side(session: Session, actor: User, meeting: Meeting) -> str:
    if meeting.investor_id == actor.id:
        return "investor"
    if meeting.organisation_id in _user_organisation_ids(session, actor):
        return "organisation"
    raise Forbidden(gettext("Only the participants record feedback."))


def add_feedback(
    session: Session,
    *,
    actor: User,
    meeting_id: int,
    rating: int,
    note: str,
    outcome: str,
    amount_rub: int | None,
) -> MeetingFeedback:
    """After the meeting began, each participant records one rating, note and outcome;
    an investment names its amount in RUB."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id)
    side = _side(session, actor, meeting)
    if meeting.status == MeetingStatus.cancelled or meeting.starts_at > utcnow():
        raise Conflict(gettext("Feedback is possible only after the meeting took place."))
    if outcome == Outcome.investment and amount_rub is None:
        raise FieldError("amount_rub", gettext("Give the amount of the investment in RUB."))
    exists = session.scalar(
        select(MeetingFeedback.id).where(
            MeetingFeedback.meeting_id == meeting.id, MeetingFeedback.author_id == actor.id
        )
    )
    if exists is not None:
        raise Conflict(gettext("You have already given feedback on this meeting."))
    feedback = MeetingFeedback(
        meeting_id=meeting.id,
        author_id=actor.id,
        side=side,
        rating=rating,
        note=note,
        outcome=Outcome(outcome),
        amount_rub=amount_rub if outcome == Outcome.investment else None,
    )
    session.add(feedback)
    if meeting.status == MeetingStatus.scheduled:
        _transition_meeting(session, meeting, MeetingStatus.completed, actor)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.feedback",
        entity_type="meeting",
        entity_id=meeting.id,
        data={"rating": rating, "outcome": outcome},
    )
    return feedback


def record_no_show(session: Session, *, actor: User, meeting_id: int, party: str) -> Meeting:
    """The other side or staff records who did not come, once the meeting has started."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    if not actor.is_staff and _side(session, actor, meeting) == party:
        raise Forbidden(gettext("The other side or staff records a no-show."))
    if meeting.starts_at > utcnow():
        raise Conflict(gettext("A no-show can be recorded only after the meeting began."))
    _transition_meeting(session, meeting, MeetingStatus.completed, actor, no_show=party)
    meeting.no_show = party
    session.flush()
    return meeting


# --- pitch days --------------------------------------------------------------------------------


def create_pitch_day(session: Session, *, actor: User, values: dict[str, Any]) -> PitchDay:
    """Staff create a day: slot start times that do not overlap, a slot length and tables."""
    starts = sorted(values["slot_starts"])
    if len(set(starts)) != len(starts):
        raise FieldError("slot_starts", gettext("Slot start times must be different."))
    moments = [datetime.combine(values["date"], t) for t in starts]
    step = timedelta(minutes=values["slot_minutes"])
    if any(b - a < step for a, b in pairwise(moments)):
        raise FieldError("slot_starts", gettext("Slots overlap: starts are closer than a slot."))
    day = PitchDay(
        date=values["date"],
        slot_starts=[t.strftime("%H:%M") for t in starts],
        slot_minutes=values["slot_minutes"],
        tables=values["tables"],
        created_by_id=actor.id,
    )
    session.add(day)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_created",
        entity_type="pitch_day",
        entity_id=day.id,
    )
    return day


def get_pitch_day(session: Session, pitch_day_id: int) -> PitchDay:
    day = session.get(PitchDay, pitch_day_id)
    if day is None:
        raise NotFound(gettext("Pitch day not found."))
    return day


def _may_take_part(session: Session, organisation_id: int) -> bool:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        return False
    if organisation.kind == OrganisationKind.investor:
        return organisation.is_verified
    return membership.is_member_organisation(session, organisation_id)


def register_participant(
    session: Session,
    *,
    actor: User,
    pitch_day_id: int,
    organisation_id: int,
    slots: list[int] | None,
) -> PitchParticipant:
    """A person of a member or verified investor organisation registers it, with its slots."""
    day = get_pitch_day(session, pitch_day_id)
    if not actor.is_staff and organisation_id not in _user_organisation_ids(session, actor):
        raise Forbidden(gettext("You may register only an organisation you belong to."))
    if not _may_take_part(session, organisation_id):
        raise Forbidden(gettext("Only member and verified investor organisations take part."))
    count = len(day.slot_starts)
    chosen = list(range(count)) if slots is None else sorted(set(slots))
    if any(not 0 <= s < count for s in chosen):
        raise FieldError("slots", gettext("Unknown slot number."))
    participant = session.scalar(
        select(PitchParticipant).where(
            PitchParticipant.pitch_day_id == day.id,
            PitchParticipant.organisation_id == organisation_id,
        )
    )
    if participant is None:
        participant = PitchParticipant(
            pitch_day_id=day.id,
            organisation_id=organisation_id,
            registered_by_id=actor.id,
            slots=chosen,
        )
        session.add(participant)
    else:
        participant.slots = chosen
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_participant",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"organisation_id": organisation_id, "slots": chosen},
    )
    return participant


def add_wish(
    session: Session,
    *,
    actor: User,
    pitch_day_id: int,
    organisation_id: int | None,
    with_organisation_id: int,
    priority: int,
    no_thanks: bool,
) -> PitchWish:
    """A participant wishes (or refuses) a meeting with another registered participant."""
    day = get_pitch_day(session, pitch_day_id)
    registered = set(
        session.scalars(
            select(PitchParticipant.organisation_id).where(PitchParticipant.pitch_day_id == day.id)
        )
    )
    mine = _user_organisation_ids(session, actor) & registered
    if organisation_id is None:
        if len(mine) != 1:
            raise FieldError(
                "organisation_id", gettext("Name the registered organisation you represent.")
            )
        organisation_id = next(iter(mine))
    if organisation_id not in registered:
        raise FieldError(
            "organisation_id", gettext("This organisation is not registered for the day.")
        )
    if not actor.is_staff and organisation_id not in mine:
        raise Forbidden(gettext("You may state wishes only for your own organisation."))
    if with_organisation_id not in registered or with_organisation_id == organisation_id:
        raise FieldError(
            "with_organisation_id",
            gettext("The other organisation is not a participant of this day."),
        )
    wish = session.scalar(
        select(PitchWish).where(
            PitchWish.pitch_day_id == day.id,
            PitchWish.organisation_id == organisation_id,
            PitchWish.with_organisation_id == with_organisation_id,
        )
    )
    if wish is None:
        wish = PitchWish(
            pitch_day_id=day.id,
            organisation_id=organisation_id,
            with_organisation_id=with_organisation_id,
        )
        session.add(wish)
    wish.priority, wish.no_thanks = priority, no_thanks
    session.flush()
    return wish


@dataclass
class ScheduleResult:
    placed: int
    upper_bound: int
    method: str
    unplaced: list[dict[str, Any]]
    meetings: list[PitchMeeting]


def schedule_pitch_day(
    session: Session, *, actor: User, pitch_day_id: int, time_limit: float = 5.0
) -> ScheduleResult:
    """Staff place the wished meetings; locked meetings stay, the rest is recomputed."""
    day = session.scalar(
        select(PitchDay).where(PitchDay.id == pitch_day_id).with_for_update()
        if _is_postgres(session)
        else select(PitchDay).where(PitchDay.id == pitch_day_id)
    )
    if day is None:
        raise NotFound(gettext("Pitch day not found."))
    participants = session.scalars(
        select(PitchParticipant).where(PitchParticipant.pitch_day_id == day.id)
    ).all()
    availability: dict[Hashable, frozenset[int]] = {
        p.organisation_id: frozenset(p.slots) for p in participants
    }
    pairs: dict[tuple[int, int], int] = {}
    refused: set[tuple[int, int]] = set()
    for wish in session.scalars(select(PitchWish).where(PitchWish.pitch_day_id == day.id)):
        key = (
            min(wish.organisation_id, wish.with_organisation_id),
            max(wish.organisation_id, wish.with_organisation_id),
        )
        if wish.no_thanks:
            refused.add(key)
        else:
            pairs[key] = pairs.get(key, 0) + wish.priority
    wishes = [
        scheduler.Wish(n, a, b, weight)
        for n, ((a, b), weight) in enumerate(
            sorted((k, v) for k, v in pairs.items() if k not in refused)
        )
    ]
    wish_of = {(w.a, w.b): w for w in wishes}
    existing = session.scalars(
        select(PitchMeeting).where(PitchMeeting.pitch_day_id == day.id)
    ).all()
    locked = []
    for meeting in existing:
        if not meeting.locked:
            continue
        key = (meeting.first_organisation_id, meeting.second_organisation_id)
        if key not in wish_of:
            kept = scheduler.Wish(len(wishes), key[0], key[1], meeting.priority)
            wishes.append(kept)
            wish_of[key] = kept
        locked.append(scheduler.Placement(wish_of[key].id, meeting.slot, meeting.table_number))
    problem = scheduler.Problem(
        slots=tuple(range(len(day.slot_starts))),
        tables=day.tables,
        availability=availability,
        wishes=tuple(wishes),
        locked=tuple(locked),
    )
    result = scheduler.solve(problem, time_limit=time_limit)
    session.execute(
        delete(PitchMeeting).where(
            PitchMeeting.pitch_day_id == day.id, PitchMeeting.locked.is_(False)
        )
    )
    session.flush()
    by_id = {w.id: w for w in wishes}
    locked_ids = {p.wish_id for p in locked}
    for placement in result.placements:
        if placement.wish_id in locked_ids:
            continue
        placed = by_id[placement.wish_id]
        session.add(
            PitchMeeting(
                pitch_day_id=day.id,
                # participants of a pitch day are organisation ids
                first_organisation_id=cast(int, placed.a),
                second_organisation_id=cast(int, placed.b),
                slot=placement.slot,
                table_number=placement.table,
                priority=placed.weight,
            )
        )
    session.flush()
    unplaced = [
        {
            "organisation_id": by_id[u.wish_id].a,
            "with_organisation_id": by_id[u.wish_id].b,
            "priority": by_id[u.wish_id].weight,
            "reason": u.reason,
            "participant": u.participant,
            "slot": u.slot,
        }
        for u in result.unplaced
    ] + [
        {
            "organisation_id": a,
            "with_organisation_id": b,
            "priority": 0,
            "reason": "no_thanks",
            "participant": None,
            "slot": None,
        }
        for a, b in sorted(refused)
    ]
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_scheduled",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"placed": result.placed, "upper_bound": result.upper_bound},
    )
    meetings = list(
        session.scalars(
            select(PitchMeeting)
            .where(PitchMeeting.pitch_day_id == day.id)
            .order_by(PitchMeeting.slot, PitchMeeting.table_number)
        )
    )
    return ScheduleResult(result.placed, result.upper_bound, result.method, unplaced, meetings)


def set_lock(
    session: Session, *, actor: User, pitch_day_id: int, meeting_id: int, locked: bool
) -> PitchMeeting:
    meeting = session.get(PitchMeeting, meeting_id)
    if meeting is None or meeting.pitch_day_id != pitch_day_id:
        raise NotFound(gettext("Pitch meeting not found."))
    meeting.locked = locked
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_meeting_lock",
        entity_type="pitch_meeting",
        entity_id=meeting.id,
        data={"locked": locked},
    )
    return meeting


def publish_pitch_day(session: Session, *, actor: User, pitch_day_id: int) -> PitchDay:
    """Participants see the schedule from now on. Each organisation is told how many meetings
    it has and where its agenda is: at the first publication, and at a later one only when its
    own meetings changed."""
    day = get_pitch_day(session, pitch_day_id)
    day.published_at = utcnow()
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_published",
        entity_type="pitch_day",
        entity_id=day.id,
    )
    agendas = _agendas(session, day.id)
    participants = session.scalars(
        select(PitchParticipant)
        .where(PitchParticipant.pitch_day_id == day.id)
        .order_by(PitchParticipant.organisation_id)
    )
    for participant in participants:
        agenda = agendas.get(participant.organisation_id, [])
        digest = hashlib.sha256(repr(agenda).encode()).hexdigest()
        if digest == participant.announced_agenda:
            continue
        participant.announced_agenda = digest
        _notify_org(
            session,
            participant.organisation_id,
            key=f"meetings.pitch_day.{day.id}.published.{day.published_at.isoformat()}",
            context={
                "event": "pitch_day_published",
                "day": day.date.isoformat(),
                "meeting_count": len(agenda),
            },
            link=f"/pitch-days/{day.id}/agenda/{participant.organisation_id}",
        )
    return day


def _agendas(session: Session, pitch_day_id: int) -> dict[int, list[tuple[int, int, int]]]:
    """Each organisation's meetings of the day as (slot, table, the other organisation)."""
    agendas: dict[int, list[tuple[int, int, int]]] = {}
    for first, second, slot, table in session.execute(
        select(
            PitchMeeting.first_organisation_id,
            PitchMeeting.second_organisation_id,
            PitchMeeting.slot,
            PitchMeeting.table_number,
        )
        .where(PitchMeeting.pitch_day_id == pitch_day_id)
        .order_by(PitchMeeting.slot, PitchMeeting.table_number)
    ):
        agendas.setdefault(first, []).append((slot, table, second))
        agendas.setdefault(second, []).append((slot, table, first))
    return agendas


def pitch_participant_ids(session: Session, pitch_day_id: int) -> set[int]:
    return set(
        session.scalars(
            select(PitchParticipant.organisation_id).where(
                PitchParticipant.pitch_day_id == pitch_day_id
            )
        )
    )


def can_see_schedule(session: Session, user: User, day: PitchDay) -> bool:
    """Staff always; people of a participating organisation once the schedule is published."""
    if user.is_staff:
        return True
    if day.published_at is None:
        return False
    return bool(_user_organisation_ids(session, user) & pitch_participant_ids(session, day.id))


def participant_agenda(
    session: Session, *, actor: User, pitch_day_id: int, organisation_id: int
) -> tuple[PitchDay, list[PitchMeeting]]:
    """One participant's agenda: staff always, its own people once the schedule is published;
    for anyone else the agenda does not exist (404)."""
    day = get_pitch_day(session, pitch_day_id)
    if organisation_id not in pitch_participant_ids(session, day.id):
        raise NotFound(gettext("Pitch day participant not found."))
    if not actor.is_staff and organisation_id not in _user_organisation_ids(session, actor):
        raise NotFound(gettext("Pitch day participant not found."))
    if not can_see_schedule(session, actor, day):
        return day, []
    return day, pitch_meetings(session, day.id, organisation_id)


def pitch_meetings(
    session: Session, pitch_day_id: int, organisation_id: int | None = None
) -> list[PitchMeeting]:
    statement = select(PitchMeeting).where(PitchMeeting.pitch_day_id == pitch_day_id)
    if organisation_id is not None:
        statement = statement.where(
            or_(
                PitchMeeting.first_organisation_id == organisation_id,
                PitchMeeting.second_organisation_id == organisation_id,
            )
        )
    return list(session.scalars(statement.order_by(PitchMeeting.slot, PitchMeeting.table_number)))


# --- personal data -----------------------------------------------------------------------------


@register_exporter("meetings")
def export_meetings(session: Session, user: User) -> dict[str, Any]:
    """Requests the user wrote or received, meetings they took part in, feedback they gave."""
    requests = session.scalars(
        select(MeetingRequest)
        .where(or_(MeetingRequest.requester_id == user.id, MeetingRequest.investor_id == user.id))
        .order_by(MeetingRequest.id)
    ).all()
    organisations = _user_organisation_ids(session, user)
    meetings = session.scalars(
        select(Meeting)
        .where(or_(Meeting.investor_id == user.id, Meeting.organisation_id.in_(organisations)))
        .order_by(Meeting.id)
    ).all()
    feedback = session.scalars(
        select(MeetingFeedback)
        .where(MeetingFeedback.author_id == user.id)
        .order_by(MeetingFeedback.id)
    ).all()
    return {
        "requests": [
            {
                "id": r.id,
                "role": "investor" if r.investor_id == user.id else "requester",
                "investor_id": r.investor_id,
                "organisation_id": r.organisation_id,
                "message": r.message,
                "proposed_starts_at": r.starts_at.isoformat() if r.starts_at else None,
                "status": r.status.value,
                "reason": r.reason,
                "deck_filename": r.deck_filename,
                "created_at": r.created_at.isoformat(),
            }
            for r in requests
        ],
        "meetings": [
            {
                "id": m.id,
                "investor_id": m.investor_id,
                "organisation_id": m.organisation_id,
                "starts_at": m.starts_at.isoformat(),
                "ends_at": m.ends_at.isoformat(),
                "status": m.status.value,
                "cancel_reason": m.cancel_reason,
                "no_show": m.no_show,
            }
            for m in meetings
        ],
        "feedback": [
            {
                "meeting_id": f.meeting_id,
                "side": f.side,
                "rating": f.rating,
                "note": f.note,
                "outcome": f.outcome.value,
                "amount_rub": f.amount_rub,
                "created_at": f.created_at.isoformat(),
            }
            for f in feedback
        ],
    }
