"""Investors: their profiles, the directory members browse and the investors recommended to a
member organisation by fit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, Role, User
from app.audit import record
from app.db import json_list_has_any, utcnow
from app.errors import FieldError, NotFound
from app.formatting import format_money
from app.i18n import N_, gettext
from app.meetings import people, policies
from app.meetings.models import InvestorProfile, Meeting, MeetingStatus
from app.meetings.statements import total
from app.vocab import Stage, sector_label, sector_slugs


def save_profile(
    session: Session, *, actor: User, organisation_id: int, values: dict[str, Any]
) -> InvestorProfile:
    """The owner or any person of an investor organisation, or staff, edits its profile."""
    organisation = session.get(Organisation, organisation_id)
    if not policies.can_manage_investor_profile(session, actor, organisation):
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
        if key == "translations" and value is None:
            continue  # not sent: the profile keeps its translations
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


def _met_by(viewer: User) -> ColumnElement[bool]:
    """Per investor row: an organisation of `viewer` has a meeting (not cancelled) with them.
    Asked only for the cards of one page (`_cards_of`), not for every investor."""
    return (
        select(Meeting.id)
        .where(
            Meeting.organisation_id.in_(people.organisation_ids_of(viewer)),
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


def _require_directory_access(session: Session, actor: User) -> None:
    if not policies.can_browse_investors(session, actor):
        raise people.members_only(N_("see the investors"))


def investor_directory(
    session: Session, *, actor: User, limit: int, offset: int = 0
) -> tuple[list[InvestorCard], int]:
    """Members (and staff) see the investors of verified investor organisations; one page of
    cards and the total."""
    _require_directory_access(session, actor)
    investors = _investors()
    page = investors.order_by(investors.selected_columns.user_id).limit(limit).offset(offset)
    rows = session.execute(_cards_of(page.subquery(), actor).order_by(User.id))
    return [_card(row) for row in rows], total(session, investors)


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
    if not policies.can_see_recommendations(session, actor):
        raise people.members_only(N_("see investor recommendations"))
    orgs = people.member_organisation_ids(session, actor)
    return _ranked(session, actor, _seeker(session, orgs[0], need_rub), limit, offset)


def investors_for(
    session: Session, *, actor: User, limit: int, offset: int = 0
) -> tuple[list[tuple[InvestorCard, list[str]]], int]:
    """The directory as the investors page shows it: members see it ranked by fit, with the
    reasons (`recommendations`); staff outside any member organisation see it in order."""
    orgs = people.member_organisation_ids(session, actor)
    if orgs:
        ranked, count = _ranked(session, actor, _seeker(session, orgs[0]), limit, offset)
        return [(card, reasons) for card, _fit, reasons in ranked], count
    cards, count = investor_directory(session, actor=actor, limit=limit, offset=offset)
    return [(card, []) for card in cards], count


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


def best_fits(
    session: Session, *, actor: User, limit: int
) -> list[tuple[InvestorCard, Fit, list[str]]]:
    """The first `limit` recommendations of a member (none for anyone else), without their
    total: what the member's workspace suggests."""
    orgs = people.member_organisation_ids(session, actor)
    if not orgs:
        return []
    ranked, _count = _ranked(session, actor, _seeker(session, orgs[0]), limit, 0, counted=False)
    return ranked


def _ranked(
    session: Session, actor: User, seeker: Seeker, limit: int, offset: int, counted: bool = True
) -> tuple[list[tuple[InvestorCard, Fit, list[str]]], int]:
    """One page of the directory ranked for `seeker` (the gate already passed): the database
    ranks the narrow rows of `_investors` and reads the cards of one page (and, if `counted`,
    counts them all)."""
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
    rows = list(session.execute(statement))
    count = total(session, investors) if counted else len(rows)
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
    return ranked, count


def _ticket_reason(seeker: Seeker) -> str:
    if seeker.need_from_application and seeker.need_rub is not None:
        return gettext(
            "The funding need in your application (%(amount)s) fits the ticket size",
            amount=format_money(seeker.need_rub),
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
