"""Brokered double opt-in introductions between members and verified large organisations.

The member asks, staff screen (forward or screen out), the partner's contact accepts or declines.
Until the partner accepts, neither side learns the other's people: no names, emails or phones in
any reply, page or email. Outcomes follow acceptance; success stories need both consents.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app import audit
from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    Role,
    User,
    UserRole,
)
from app.accounts.organisations import people_of
from app.accounts.personal_data import Traces
from app.bilingual import Translations
from app.db import utcnow
from app.errors import FieldError, Forbidden, InvalidTransition, NotFound
from app.i18n import gettext
from app.introductions import policies
from app.introductions.kinds import (
    ANSWERED,
    FORWARDED,
    INTRODUCED,
    NEW_REQUEST,
    REQUEST_SENT,
)
from app.introductions.models import (
    PENDING_STATES,
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Outcome,
    OutcomeKind,
    PartnerProfile,
    transition,
)
from app.membership.queries import member_organisation_ids
from app.notifications.service import notify
from app.pagination import Paging, paginate
from app.vocab import sector_slugs

AMOUNT_REQUIRED = frozenset({OutcomeKind.contract, OutcomeKind.investment})
AMOUNT_FORBIDDEN = frozenset({OutcomeKind.meeting})


# --- Partners ---------------------------------------------------------------------------------


def _partner_query() -> Select[Organisation]:
    return select(Organisation).where(
        Organisation.kind == OrganisationKind.large, Organisation.verified_at.is_not(None)
    )


def list_partners(
    session: Session, *, actor: User, paging: Paging
) -> tuple[list[tuple[Organisation, PartnerProfile | None]], int]:
    """Members (and staff) browse verified large organisations; nobody else."""
    if not policies.can_browse_partners(session, actor):
        raise Forbidden(gettext("Only members of the cluster may browse partners."))
    organisations, total = paginate(
        session, _partner_query().order_by(Organisation.name, Organisation.id), paging
    )
    profiles = {
        p.organisation_id: p
        for p in session.scalars(
            select(PartnerProfile).where(
                PartnerProfile.organisation_id.in_([o.id for o in organisations])
            )
        )
    }
    return [(o, profiles.get(o.id)) for o in organisations], total


def get_partner(session: Session, partner_id: int) -> Organisation:
    organisation = session.get(Organisation, partner_id)
    if not policies.is_partner(organisation):
        raise NotFound(gettext("Partner not found."))
    assert organisation is not None
    return organisation


def get_partner_for(session: Session, *, actor: User, partner_id: int) -> Organisation:
    if not policies.can_browse_partners(session, actor):
        raise Forbidden(gettext("Only members of the cluster may browse partners."))
    return get_partner(session, partner_id)


def get_target_for(session: Session, *, actor: User, partner_id: int) -> Organisation:
    """An organisation the actor may ask to be introduced to: a partner or a member."""
    if not policies.can_browse_partners(session, actor):
        raise Forbidden(gettext("Only members of the cluster may browse partners."))
    organisation = session.get(Organisation, partner_id)
    if not policies.is_introduction_target(session, organisation):
        raise NotFound(gettext("Partner not found."))
    assert organisation is not None
    return organisation


def get_profile(session: Session, partner_id: int) -> PartnerProfile | None:
    return session.scalar(
        select(PartnerProfile).where(PartnerProfile.organisation_id == partner_id)
    )


def update_profile(
    session: Session,
    *,
    actor: User,
    partner_id: int,
    looking_for: list[str],
    sectors: list[str],
    summary: str,
    translations: Translations | None = None,
) -> tuple[Organisation, PartnerProfile]:
    """Staff and the partner's own contact persons describe what the company looks for."""
    organisation = get_partner(session, partner_id)
    if not policies.can_edit_profile(session, actor, partner_id):
        if not policies.can_browse_partners(session, actor):
            raise NotFound(gettext("Partner not found."))
        raise Forbidden(gettext("Only the partner's contact persons and staff may edit this."))
    known = set(sector_slugs())
    for sector in sectors:
        if sector not in known:
            raise FieldError("sectors", gettext("Unknown sector: %(sector)s", sector=sector[:40]))
    profile = get_profile(session, partner_id)
    if profile is None:
        profile = PartnerProfile(organisation_id=partner_id)
        session.add(profile)
    profile.looking_for = sorted(set(looking_for))
    profile.sectors = sorted(set(sectors))
    profile.summary = summary
    if translations is not None:
        profile.translations = dict(translations)
    profile.updated_at = utcnow()
    profile.updated_by_id = actor.id
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="partner_profile.update",
        entity_type="organisation",
        entity_id=partner_id,
        data={"looking_for": profile.looking_for, "sectors": profile.sectors},
    )
    return organisation, profile


def partner_contacts(session: Session, organisation_id: int) -> list[User]:
    """Who answers requests to the organisation (`policies.answers_for`): a partner's contact
    persons, a member organisation's owners."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is not None and not policies.is_partner(organisation):
        return people_of(session, organisation_id, role=OrganisationRole.owner, active_only=True)
    return people_of(session, organisation_id, holding=Role.partner, active_only=True)


def _staff(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.staff, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


# --- Introductions ----------------------------------------------------------------------------


def get_visible(
    session: Session, *, actor: User, introduction_id: int, lock: bool = False
) -> Introduction:
    """An introduction the actor may see; anyone else gets 404."""
    query = select(Introduction).where(Introduction.id == introduction_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    introduction = session.scalar(query)
    if introduction is None or not policies.can_view(session, actor, introduction):
        raise NotFound(gettext("Introduction not found."))
    return introduction


def list_introductions(
    session: Session,
    *,
    actor: User,
    paging: Paging,
    status: IntroductionStatus | None = None,
    scope: str = "mine",
) -> tuple[list[Introduction], int]:
    """Staff see all; others see their organisation's requests and, as partner contacts, the
    requests forwarded to their company (`scope` = "member" or "partner" narrows to one side)."""
    query = select(Introduction)
    if not (policies.sees_every_introduction(actor) and scope == "mine"):
        organisation_ids = policies.user_organisation_ids(session, actor)
        member_side = Introduction.requester_organisation_id.in_(organisation_ids)
        partner_side: ColumnElement[bool] = Introduction.partner_organisation_id.in_(
            organisation_ids
        ) & (Introduction.forwarded_at.is_not(None))
        if not policies.sees_partner_side_lists(actor):
            owned = select(OrganisationMember.organisation_id).where(
                OrganisationMember.user_id == actor.id,
                OrganisationMember.role == OrganisationRole.owner,
            )
            partner_side = Introduction.partner_organisation_id.in_(owned) & (
                Introduction.forwarded_at.is_not(None)
            )
        if scope == "member":
            query = query.where(member_side)
        elif scope == "partner":
            query = query.where(partner_side)
        else:
            query = query.where(or_(member_side, partner_side))
    if status is not None:
        query = query.where(Introduction.status == status)
    return paginate(
        session,
        query.order_by(Introduction.created_at.desc(), Introduction.id.desc()),
        paging,
        options=[
            joinedload(Introduction.requester_organisation),
            joinedload(Introduction.partner_organisation),
            joinedload(Introduction.requested_by).lazyload(User.role_rows),
            joinedload(Introduction.answered_by).lazyload(User.role_rows),
            selectinload(Introduction.events),
            selectinload(Introduction.outcomes),
        ],
    )


def request_introduction(
    session: Session,
    *,
    actor: User,
    partner_id: int,
    purpose: str,
    offer: str | None = "",
    ask: str | None = "",
    organisation_id: int | None = None,
) -> Introduction:
    """Only members may ask, on behalf of one of their member organisations, to meet a verified
    large organisation or another member organisation; one open or accepted request per pair."""
    member_ids = member_organisation_ids(session, actor)
    if not member_ids:
        raise Forbidden(gettext("Only members of the cluster may request introductions."))
    if organisation_id is None:
        organisation_id = member_ids[0]
    elif organisation_id not in member_ids:
        raise Forbidden(
            gettext("You may request introductions only for your own member organisation.")
        )
    partner = session.get(Organisation, partner_id)
    if not policies.is_introduction_target(session, partner):
        raise FieldError("partner_id", gettext("There is no such partner."))
    if partner_id == organisation_id:
        raise FieldError("partner_id", gettext("An organisation cannot be introduced to itself."))
    open_key = f"{organisation_id}:{partner_id}"
    if session.scalar(select(Introduction.id).where(Introduction.open_key == open_key)):
        raise InvalidTransition(
            gettext("Your organisation already has an open introduction with this partner.")
        )
    introduction = Introduction(
        requester_organisation_id=organisation_id,
        partner_organisation_id=partner_id,
        requested_by_id=actor.id,
        purpose=purpose,
        offer=offer or "",
        ask=ask or "",
        status=IntroductionStatus.requested,
        open_key=open_key,
    )
    introduction.events.append(
        IntroductionEvent(status=IntroductionStatus.requested, actor_id=actor.id)
    )
    try:
        with session.begin_nested():
            session.add(introduction)
            session.flush()
    except IntegrityError:
        raise InvalidTransition(
            gettext("Your organisation already has an open introduction with this partner.")
        ) from None
    audit.record(
        session,
        actor_id=actor.id,
        action="introduction.requested",
        entity_type="introduction",
        entity_id=introduction.id,
        data={"partner_id": partner_id, "organisation_id": organisation_id},
    )
    for staff in _staff(session):
        notify(
            session,
            recipient=staff,
            kind=NEW_REQUEST,
            template="introductions/new_request",
            key=f"introduction:{introduction.id}:new:{staff.id}",
            context=_email_context(introduction),
            link=f"/introductions/{introduction.id}",
        )
    notify(
        session,
        recipient=actor,
        kind=REQUEST_SENT,
        template="introductions/request_sent",
        key=f"introduction:{introduction.id}:sent",
        context=_email_context(introduction),
        link=f"/introductions/{introduction.id}",
    )
    return introduction


def _email_context(introduction: Introduction) -> dict[str, Any]:
    """What an email may say before acceptance: organisations and the request, no people."""
    return {
        "introduction_id": introduction.id,
        "organisation_name": introduction.requester_organisation.name,
        "partner_name": introduction.partner_organisation.name,
        "purpose": introduction.purpose,
        "offer": introduction.offer,
        "ask": introduction.ask,
    }


def forward(session: Session, *, actor: User, introduction_id: int) -> Introduction:
    """Staff pass a screened request to the partner's contact persons."""
    introduction = get_visible(session, actor=actor, introduction_id=introduction_id, lock=True)
    contacts = partner_contacts(session, introduction.partner_organisation_id)
    refusal = policies.forward_refusal(actor, introduction, has_contacts=bool(contacts))
    if refusal is not None:
        raise refusal
    transition(session, introduction, IntroductionStatus.forwarded, actor=actor)
    introduction.forwarded_at = introduction.status_changed_at
    for contact in contacts:
        notify(
            session,
            recipient=contact,
            kind=FORWARDED,
            template="introductions/forwarded",
            key=f"introduction:{introduction.id}:forwarded:{contact.id}",
            context=_email_context(introduction),
            link=f"/introductions/{introduction.id}",
        )
    session.flush()
    return introduction


def screen_out(session: Session, *, actor: User, introduction_id: int, reason: str) -> Introduction:
    """Staff decline to forward; the member is told why."""
    introduction = get_visible(session, actor=actor, introduction_id=introduction_id, lock=True)
    _require_broker(actor, introduction)
    # The reason stays on the introduction (free text has no place in the append-only log).
    transition(session, introduction, IntroductionStatus.screened_out, actor=actor)
    introduction.screen_out_reason = reason
    _tell_requester(session, introduction, "screened_out", {"reason": reason})
    session.flush()
    return introduction


def _tell_requester(
    session: Session, introduction: Introduction, event: str, extra: dict[str, Any]
) -> None:
    requester = introduction.requested_by
    if requester is None:
        return
    notify(
        session,
        recipient=requester,
        kind=ANSWERED,
        template=f"introductions/{event}",
        key=f"introduction:{introduction.id}:{event}",
        context={**_email_context(introduction), **extra},
        link=f"/introductions/{introduction.id}",
    )


def _require_broker(actor: User, introduction: Introduction) -> None:
    """Staff only (403); a request no longer new is refused by `transition` (409)."""
    if not policies.can_broker(actor, introduction, check_state=False):
        raise Forbidden(gettext("You do not have permission to do this."))


def _require_partner(session: Session, actor: User, introduction: Introduction) -> None:
    """The partner's contacts only (403); a request not awaiting an answer is refused by
    `transition` (409)."""
    if not policies.can_answer(session, actor, introduction, check_state=False):
        raise Forbidden(gettext("Only the partner's contact persons may answer this request."))


def accept(session: Session, *, actor: User, introduction_id: int) -> Introduction:
    """The partner's contact accepts: both sides now see each other and get an introduction."""
    introduction = get_visible(session, actor=actor, introduction_id=introduction_id, lock=True)
    _require_partner(session, actor, introduction)
    transition(session, introduction, IntroductionStatus.accepted, actor=actor)
    introduction.accepted_at = introduction.status_changed_at
    introduction.answered_by_id = actor.id
    introduction.answered_by = actor
    session.flush()
    requester = introduction.requested_by
    pairs = [(requester, actor), (actor, requester)] if requester else []
    for recipient, other in pairs:
        assert recipient is not None and other is not None
        notify(
            session,
            recipient=recipient,
            kind=INTRODUCED,
            template="introductions/introduced",
            key=f"introduction:{introduction.id}:introduced:{recipient.id}",
            context={
                **_email_context(introduction),
                "other_name": other.full_name,
                "other_email": other.email,
                "other_phone": other.phone,
                "other_organisation": (
                    introduction.partner_organisation.name
                    if other is actor
                    else introduction.requester_organisation.name
                ),
            },
            link=f"/introductions/{introduction.id}",
        )
    return introduction


def decline(
    session: Session, *, actor: User, introduction_id: int, reason: str | None, share_reason: bool
) -> Introduction:
    """The partner's contact declines; the reason stays with staff unless they share it."""
    introduction = get_visible(session, actor=actor, introduction_id=introduction_id, lock=True)
    _require_partner(session, actor, introduction)
    transition(session, introduction, IntroductionStatus.declined, actor=actor)
    introduction.answered_by_id = actor.id
    introduction.decline_reason = reason or None
    introduction.decline_reason_shared = bool(reason) and share_reason
    shared = reason if introduction.decline_reason_shared else None
    _tell_requester(session, introduction, "declined", {"reason": shared})
    session.flush()
    return introduction


def expire(session: Session, introduction: Introduction) -> None:
    """Unanswered after the reminder: the request closes and the member is told."""
    transition(session, introduction, IntroductionStatus.expired, actor=None)
    _tell_requester(session, introduction, "expired", {})


def record_outcome(
    session: Session,
    *,
    actor: User,
    introduction_id: int,
    kind: OutcomeKind,
    amount_rub: int | None,
    note: str,
) -> Outcome:
    """Either side records what came of an accepted introduction; contracts and investments need
    an amount in roubles, a meeting has none, a pilot may have one."""
    introduction = get_visible(session, actor=actor, introduction_id=introduction_id)
    refusal = policies.outcome_refusal(session, actor, introduction)
    if refusal is not None:
        raise refusal
    if kind in AMOUNT_REQUIRED and amount_rub is None:
        raise FieldError("amount_rub", gettext("Enter the amount in roubles."))
    if kind in AMOUNT_FORBIDDEN and amount_rub is not None:
        raise FieldError("amount_rub", gettext("A meeting has no amount."))
    side = "member" if policies.on_member_side(session, actor, introduction) else "partner"
    outcome = Outcome(
        introduction_id=introduction.id,
        kind=kind,
        amount_rub=amount_rub,
        note=note,
        side=side,
        recorded_by_id=actor.id,
    )
    session.add(outcome)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="introduction.outcome",
        entity_type="introduction",
        entity_id=introduction.id,
        data={"outcome_id": outcome.id, "kind": kind.value, "amount_rub": amount_rub},
    )
    return outcome


def introduction_view(
    session: Session, *, viewer: User, introduction: Introduction
) -> dict[str, Any]:
    """The introduction as this viewer may see it: the other side's people only after
    acceptance, a private decline reason only for staff and the partner."""

    def contact(user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {"full_name": user.full_name, "email": user.email, "phone": user.phone}

    member_contact = (
        contact(introduction.requested_by)
        if policies.sees_member_contact(session, viewer, introduction)
        else None
    )
    partner_contact = (
        contact(introduction.answered_by)
        if policies.sees_partner_contact(session, viewer, introduction)
        else None
    )
    decline_reason = (
        introduction.decline_reason
        if policies.sees_decline_reason(session, viewer, introduction)
        else None
    )
    return {
        "id": introduction.id,
        "status": introduction.status,
        "partner_id": introduction.partner_organisation_id,
        "partner": {
            "id": introduction.partner_organisation_id,
            "name": introduction.partner_organisation.name,
        },
        "organisation": {
            "id": introduction.requester_organisation_id,
            "name": introduction.requester_organisation.name,
        },
        "purpose": introduction.purpose,
        "offer": introduction.offer,
        "ask": introduction.ask,
        "screen_out_reason": introduction.screen_out_reason,
        "decline_reason": decline_reason,
        "created_at": introduction.created_at,
        "status_changed_at": introduction.status_changed_at,
        "member_contact": member_contact,
        "partner_contact": partner_contact,
        "timeline": [{"status": e.status, "at": e.created_at} for e in introduction.events],
        "outcomes": [
            {
                "id": o.id,
                "kind": o.kind,
                "amount_rub": o.amount_rub,
                "note": o.note,
                "side": o.side,
                "created_at": o.created_at,
            }
            for o in introduction.outcomes
        ],
        "contacts_shared": policies.sees_contacts(introduction),
        "can_answer": policies.can_answer(session, viewer, introduction),
        "can_broker": policies.can_broker(viewer, introduction),
        "can_record_outcome": policies.can_record_outcome(session, viewer, introduction),
    }


# --- personal data -----------------------------------------------------------------------------


def export_introductions(session: Session, user: User) -> dict[str, Any]:
    """Introductions the user asked for or answered, and the outcomes they recorded."""
    introductions = session.scalars(
        select(Introduction)
        .where(or_(Introduction.requested_by_id == user.id, Introduction.answered_by_id == user.id))
        .order_by(Introduction.id)
    ).all()
    outcomes = session.scalars(
        select(Outcome).where(Outcome.recorded_by_id == user.id).order_by(Outcome.id)
    ).all()
    return {
        "introductions": [
            {
                "id": i.id,
                "role": "requester" if i.requested_by_id == user.id else "partner",
                "requester_organisation_id": i.requester_organisation_id,
                "partner_organisation_id": i.partner_organisation_id,
                "purpose": i.purpose,
                "offer": i.offer,
                "ask": i.ask,
                "status": i.status.value,
                "decline_reason": i.decline_reason,
                "created_at": i.created_at.isoformat(),
            }
            for i in introductions
        ],
        "outcomes": [
            {
                "introduction_id": o.introduction_id,
                "kind": o.kind.value,
                "amount_rub": o.amount_rub,
                "note": o.note,
                "created_at": o.created_at.isoformat(),
            }
            for o in outcomes
        ],
    }


def withdraw_pending(session: Session, *, actor: User, user: User) -> None:
    """The pending introductions a leaving person asked for are withdrawn; whoever was
    handling them is told: the partner's contacts once forwarded, staff before."""
    pending = session.scalars(
        select(Introduction)
        .where(Introduction.requested_by_id == user.id, Introduction.status.in_(PENDING_STATES))
        .order_by(Introduction.id)
        .with_for_update()
    ).all()
    for introduction in pending:
        forwarded = introduction.status == IntroductionStatus.forwarded
        transition(session, introduction, IntroductionStatus.withdrawn, actor=actor)
        if forwarded:
            told = partner_contacts(session, introduction.partner_organisation_id)
        else:
            told = _staff(session)
        for person in told:
            notify(
                session,
                recipient=person,
                kind=FORWARDED if forwarded else NEW_REQUEST,
                template="introductions/withdrawn",
                key=f"introduction:{introduction.id}:withdrawn:{person.id}",
                context=_email_context(introduction),
                link=f"/introductions/{introduction.id}",
            )
    session.flush()


def erase_introduction_texts(session: Session, *, user: User, traces: Traces) -> None:
    """The person's name, address or phone in what they wrote: their requests, the reasons
    they gave, the outcomes they recorded."""
    traces.scrub_rows(
        session,
        or_(Introduction.requested_by_id == user.id, Introduction.answered_by_id == user.id),
        Introduction.purpose,
        Introduction.offer,
        Introduction.ask,
        Introduction.decline_reason,
    )
    traces.scrub_rows(session, Outcome.recorded_by_id == user.id, Outcome.note)
    session.flush()
