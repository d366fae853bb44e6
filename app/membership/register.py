"""Memberships and the register: granting a membership, its status and public listing, the
staff's list of memberships, the public register and the verification of a certificate."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session, aliased

from app import audit
from app.accounts.models import Organisation, OrganisationRole, User
from app.accounts.organisations import people_of
from app.db import is_postgresql
from app.errors import FieldError, NotFound
from app.i18n import gettext
from app.membership import policies
from app.membership.kinds import STATUS_CHANGE
from app.membership.models import (
    GRACE_PERIOD,
    Application,
    Membership,
    MembershipStatus,
    Tier,
    Track,
    transition_membership,
)
from app.membership.reading import name_or_inn_matches
from app.membership.reviews import review_settings
from app.notifications.service import notify
from app.pagination import Paging, paginate_rows
from app.verification import VerifiedRecord
from app.vocab import sector_label

_PG_NUMBER_LOCK = 0x6D656D62  # "memb"


def next_number(session: Session, year: int) -> str:
    """The next free membership number of the year, like CL-2026-0042."""
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_NUMBER_LOCK})
    prefix = f"CL-{year}-"
    numbers = session.scalars(select(Membership.number).where(Membership.number.like(f"{prefix}%")))
    highest = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


def grant_membership(session: Session, *, actor: User, application: Application) -> Membership:
    """A number like CL-2026-0042, today as the start, expiry after the configured term; an
    organisation that was a member before keeps its number and is renewed."""
    today = date.today()
    term = timedelta(days=review_settings().term_days)
    membership = session.scalar(
        select(Membership).where(Membership.organisation_id == application.organisation_id)
    )
    if membership is None:
        membership = Membership(
            organisation_id=application.organisation_id,
            number=next_number(session, today.year),
            verify_code=secrets.token_urlsafe(15),
            starts_on=today,
            expires_on=today + term,
            application_id=application.id,
        )
        session.add(membership)
    else:
        # A renewal before the expiry extends the term; after a lapse the membership restarts.
        if membership.expires_on >= today and membership.status == MembershipStatus.active:
            membership.expires_on = membership.expires_on + term
        else:
            membership.starts_on = today
            membership.expires_on = today + term
        membership.status = MembershipStatus.active
        membership.status_reason = None
        membership.application_id = application.id
    # The tier follows the track of the application that granted (or renewed) the membership.
    membership.tier = Tier.incubatee if application.track == Track.incubation else Tier.member
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="membership.granted",
        entity_type="membership",
        entity_id=membership.id,
        data={
            "application_id": application.id,
            "number": membership.number,
            "tier": membership.tier.value,
        },
    )
    return membership


def get_membership(session: Session, *, actor: User, membership_id: int) -> Membership:
    """Staff see every membership; the organisation's people see their own; else 404."""
    membership = session.get(Membership, membership_id)
    if membership is None or not policies.can_view_membership(session, actor, membership):
        raise NotFound(gettext("Membership not found."))
    return membership


def owners_of(session: Session, organisation_id: int) -> list[User]:
    """The owners of the organisation, who are told about its membership."""
    return people_of(session, organisation_id, role=OrganisationRole.owner)


def change_membership_status(
    session: Session,
    *,
    actor: User,
    membership_id: int,
    to: MembershipStatus,
    reason: str | None = None,
) -> Membership:
    """Staff suspend (with a reason), lift a suspension, or revoke (with a reason; final).
    The organisation's owners are told, in their language."""
    policies.enforce(policies.status_change_refusal(actor))
    statement = (
        select(Membership)
        .where(Membership.id == membership_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    membership = session.scalar(statement)
    if membership is None:
        raise NotFound(gettext("Membership not found."))
    if to in (MembershipStatus.suspended, MembershipStatus.revoked) and not (reason or "").strip():
        raise FieldError("reason", gettext("Give a reason."))
    transition_membership(session, membership, to, actor=actor, reason=reason)
    organisation = session.get(Organisation, membership.organisation_id)
    for owner in owners_of(session, membership.organisation_id):
        notify(
            session,
            recipient=owner,
            kind=STATUS_CHANGE,
            template="membership/status_changed",
            key=f"membership.status:{membership.id}:{to.value}:{membership.status_changed_at}",
            context={
                "organisation_name": organisation.name if organisation else "",
                "number": membership.number,
                "status": to.value,
                "reason": reason,
            },
            link=f"/members/{membership.organisation_id}/certificate",
        )
    return membership


def set_listing(session: Session, *, actor: User, membership_id: int, listed: bool) -> Membership:
    """The public register is opt-in per organisation: its owner (or staff) decides whether the
    membership is listed; verification by code works either way."""
    membership = get_membership(session, actor=actor, membership_id=membership_id)
    policies.enforce(policies.listing_refusal(session, actor, membership))
    if membership.listed != listed:
        membership.listed = listed
        audit.record(
            session,
            actor_id=actor.id,
            action="membership.listed" if listed else "membership.unlisted",
            entity_type="membership",
            entity_id=membership.id,
        )
        session.flush()
    return membership


def list_memberships(
    session: Session,
    *,
    actor: User,
    status: MembershipStatus | None = None,
    q: str | None = None,
    paging: Paging = Paging(50, 0),
) -> tuple[list[tuple[Membership, Organisation]], int]:
    """Staff's list of every membership, one page and the total; `status` is the effective
    status (see `Membership.effective_status`)."""
    policies.enforce(policies.memberships_list_refusal(actor))
    conditions: list[ColumnElement[bool]] = []
    if q:
        conditions.append(name_or_inn_matches(q) | Membership.number.like(f"%{q.strip().upper()}%"))
    if status is not None:
        conditions.append(_effective_status_is(status, date.today()))
    statement = (
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(*conditions)
    )
    rows, total = paginate_rows(session, statement.order_by(Membership.number), paging)
    return [(m, o) for m, o in rows], total


def _effective_status_is(status: MembershipStatus, today: date) -> ColumnElement[bool]:
    """`Membership.effective_status(today) == status` as SQL."""
    if status in (MembershipStatus.suspended, MembershipStatus.revoked):
        return Membership.status == status
    running = Membership.status == MembershipStatus.active
    if status == MembershipStatus.active:
        return running & (Membership.expires_on >= today)
    if status == MembershipStatus.grace:
        return running & Membership.expires_on.between(today - GRACE_PERIOD, today - timedelta(1))
    return running & (Membership.expires_on < today - GRACE_PERIOD)


def register(
    session: Session,
    *,
    sector: str | None = None,
    region: str | None = None,
    paging: Paging = Paging(50, 0),
) -> tuple[list[tuple[Membership, Organisation]], int]:
    """Listed members whose membership is live (active or in grace), in name order; nothing
    private."""
    live = (
        Membership.listed.is_(True),
        Membership.status == MembershipStatus.active,
        Membership.expires_on >= date.today() - timedelta(days=30),
    )
    listed = aliased(Organisation)
    of_organisation = [
        condition
        for wanted, condition in (
            (sector, listed.sector == sector),
            (region, listed.region == region),
        )
        if wanted
    ]
    # The page is found by walking the organisations in name order (an index) and keeping those
    # with a live membership, which stops after one page; joining first would sort every member.
    page = (
        select(listed.id)
        .where(
            select(Membership.id).where(Membership.organisation_id == listed.id, *live).exists(),
            *of_organisation,
        )
        .order_by(listed.name, listed.id)
        .limit(paging.limit)
        .offset(paging.offset)
    )
    rows = session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.id.in_(page))
        .order_by(Organisation.name, Organisation.id)
    ).all()
    # Without a filter on the organisation the count needs no join (half the time).
    counted = select(func.count()).select_from(Membership).where(*live)
    if of_organisation:
        counted = counted.join(listed, listed.id == Membership.organisation_id).where(
            *of_organisation
        )
    return [(m, o) for m, o in rows], session.scalar(counted) or 0


def resolve_membership(session: Session, code: str) -> VerifiedRecord | None:
    """Public proof of membership: holder, number, live status and dates; nothing private."""
    membership = session.scalar(select(Membership).where(Membership.verify_code == code))
    if membership is None:
        return None
    organisation = session.get(Organisation, membership.organisation_id)
    status = membership.effective_status(date.today())
    return VerifiedRecord(
        kind=gettext("Cluster membership"),
        holder=organisation.name if organisation else "",
        number=membership.number,
        status=status.value,
        status_label=status.label,
        valid_from=membership.starts_on,
        valid_until=membership.expires_on,
        details=[(gettext("Sector"), sector_label(organisation.sector))] if organisation else [],
    )
