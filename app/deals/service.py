"""Reporting, listing and confirming deals."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.accounts.models import Organisation, User
from app.accounts.policies import organisation_roles
from app.deals import policies
from app.deals.models import Deal, DealSource, DealStatus, Instrument, transition
from app.errors import Forbidden, NotFound, raise_field_errors
from app.i18n import gettext
from app.introductions.models import Introduction
from app.meetings.models import Meeting, PitchParticipant
from app.membership.queries import is_member_organisation
from app.pagination import Paging, paginate

_OPTIONS = [joinedload(Deal.organisation), joinedload(Deal.investor_organisation)]


def _source_errors(
    session: Session, organisation_id: int, source: DealSource, source_id: int | None
) -> dict[str, str]:
    """The portal record a deal came from must be one of the organisation's own."""
    if source == DealSource.external:
        if source_id is not None:
            return {"source_id": gettext("A deal made outside the portal has no portal record.")}
        return {}
    if source_id is None:
        return {}
    found: object | None = None
    if source == DealSource.meeting:
        found = session.scalar(
            select(Meeting.id).where(
                Meeting.id == source_id, Meeting.organisation_id == organisation_id
            )
        )
    elif source == DealSource.pitch_day:
        found = session.scalar(
            select(PitchParticipant.id).where(
                PitchParticipant.pitch_day_id == source_id,
                PitchParticipant.organisation_id == organisation_id,
            )
        )
    elif source == DealSource.introduction:
        found = session.scalar(
            select(Introduction.id).where(
                Introduction.id == source_id,
                Introduction.requester_organisation_id == organisation_id,
            )
        )
    if found is None:
        return {"source_id": gettext("No such record of this organisation.")}
    return {}


def report_deal(
    session: Session,
    *,
    actor: User,
    today: date,
    organisation_id: int,
    amount_rub: int,
    instrument: Instrument,
    closed_on: date,
    source: DealSource,
    investor_organisation_id: int | None = None,
    investor_name: str | None = None,
    source_id: int | None = None,
) -> Deal:
    """An owner of a member organisation (or staff) reports a round; it counts once confirmed.
    `today` is the reporter's date, so a round closed today is never "in the future"."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not policies.can_report_for(session, actor, organisation_id):
        raise NotFound(gettext("Organisation not found."))
    errors: dict[str, str] = {}
    if not is_member_organisation(session, organisation_id):
        errors["organisation_id"] = gettext("Only member organisations report deals.")
    if closed_on > today:
        errors["closed_on"] = gettext("The date cannot be in the future.")
    name = (investor_name or "").strip() or None
    if investor_organisation_id is not None and name is not None:
        errors["investor_name"] = gettext("Choose a portal organisation or give a name, not both.")
    elif investor_organisation_id is None and name is None:
        errors["investor_name"] = gettext("Name the investor.")
    elif investor_organisation_id is not None and (
        investor_organisation_id == organisation_id
        or session.get(Organisation, investor_organisation_id) is None
    ):
        errors["investor_organisation_id"] = gettext("No such investor organisation.")
    errors.update(_source_errors(session, organisation_id, source, source_id))
    raise_field_errors(errors)
    deal = Deal(
        organisation_id=organisation_id,
        amount_rub=amount_rub,
        instrument=instrument,
        closed_on=closed_on,
        investor_organisation_id=investor_organisation_id,
        investor_name=name,
        source=source,
        source_id=source_id,
        status=DealStatus.reported,
        reported_by_id=actor.id,
    )
    session.add(deal)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="deal.reported",
        entity_type="deal",
        entity_id=deal.id,
        data={"organisation_id": organisation_id, "amount_rub": amount_rub},
    )
    return deal


def _visible(session: Session, actor: User) -> ColumnElement[bool] | None:
    """None for staff (every deal); otherwise the deals of the user's organisations and, for
    investors, those where their organisation invested."""
    if policies.sees_every_deal(actor):
        return None
    organisation_ids = list(organisation_roles(session, actor))
    investor_side: ColumnElement[bool] = (
        Deal.investor_organisation_id.in_(organisation_ids)
        if policies.sees_investor_side(actor)
        else false()
    )
    return or_(Deal.organisation_id.in_(organisation_ids), investor_side)


def list_deals(
    session: Session, *, actor: User, paging: Paging, status: DealStatus | None = None
) -> tuple[list[Deal], int]:
    query = select(Deal)
    condition = _visible(session, actor)
    if condition is not None:
        query = query.where(condition)
    if status is not None:
        query = query.where(Deal.status == status)
    return paginate(
        session,
        query.order_by(Deal.closed_on.desc(), Deal.id.desc()),
        paging,
        options=_OPTIONS,
    )


def get_visible(session: Session, *, actor: User, deal_id: int) -> Deal:
    deal = session.get(Deal, deal_id, options=_OPTIONS)
    if deal is None or not policies.can_view(session, actor, deal):
        raise NotFound(gettext("Deal not found."))
    return deal


def confirm(session: Session, *, actor: User, deal_id: int) -> Deal:
    deal = get_visible(session, actor=actor, deal_id=deal_id)
    if not policies.can_confirm(actor, deal, check_state=False):
        raise Forbidden(gettext("Only cluster staff confirm deals."))
    transition(session, deal, DealStatus.confirmed, actor=actor)
    return deal
