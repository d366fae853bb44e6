"""Brokered double opt-in introductions between members and verified large organisations.

The member asks, staff screen (forward or screen out), the partner's contact accepts or declines.
Until the partner accepts, neither side learns the other's people: no names, emails or phones in
any reply, page or email. Outcomes follow acceptance; success stories need both consents.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app import audit
from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Role,
    User,
    UserRole,
)
from app.accounts.personal_data import register_exporter
from app.db import utcnow
from app.errors import FieldError, Forbidden, InvalidTransition, NotFound
from app.i18n import N_, gettext
from app.introductions import policies
from app.introductions.models import (
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Outcome,
    OutcomeKind,
    PartnerProfile,
    SuccessStory,
    transition,
)
from app.membership.queries import member_organisation_ids
from app.notifications.kinds import register_kind
from app.notifications.service import notify
from app.vocab import sector_slugs

NEW_REQUEST = register_kind("introductions.new_request", N_("New introduction requests (staff)"))
FORWARDED = register_kind(
    "introductions.forwarded", N_("Introduction requests for your company"), essential=True
)
ANSWERED = register_kind(
    "introductions.answered", N_("Answers to your introduction requests"), essential=True
)
INTRODUCED = register_kind("introductions.introduced", N_("Introductions made"), essential=True)
REMINDER = register_kind("introductions.reminder", N_("Reminders about pending introductions"))
CHECKIN = register_kind("introductions.checkin", N_("Check-ins after an introduction"))
STORY = register_kind("introductions.story", N_("Success stories awaiting your consent"))

AMOUNT_REQUIRED = frozenset({OutcomeKind.contract, OutcomeKind.investment})
AMOUNT_FORBIDDEN = frozenset({OutcomeKind.meeting})


# --- Partners ---------------------------------------------------------------------------------


def _partner_query() -> Select[Organisation]:
    return select(Organisation).where(
        Organisation.kind == OrganisationKind.large, Organisation.verified_at.is_not(None)
    )


def list_partners(
    session: Session, *, actor: User, limit: int, offset: int
) -> tuple[list[tuple[Organisation, PartnerProfile | None]], int]:
    """Members (and staff) browse verified large organisations; nobody else."""
    if not policies.can_browse_partners(session, actor):
        raise Forbidden(gettext("Only members of the cluster may browse partners."))
    query = _partner_query()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    organisations = session.scalars(
        query.order_by(Organisation.name, Organisation.id).limit(limit).offset(offset)
    ).all()
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
    return list(
        session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                OrganisationMember.organisation_id == organisation_id,
                UserRole.role == Role.partner,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


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
    limit: int,
    offset: int,
    status: IntroductionStatus | None = None,
    scope: str = "mine",
) -> tuple[list[Introduction], int]:
    """Staff see all; others see their organisation's requests and, as partner contacts, the
    requests forwarded to their company (`scope` = "member" or "partner" narrows to one side)."""
    query = select(Introduction)
    if not (actor.is_staff and scope == "mine"):
        organisation_ids = policies.user_organisation_ids(session, actor)
        member_side = Introduction.requester_organisation_id.in_(organisation_ids)
        partner_side: ColumnElement[bool] = Introduction.partner_organisation_id.in_(
            organisation_ids
        ) & (Introduction.forwarded_at.is_not(None))
        if not actor.has_role(Role.partner):
            partner_side = false()
        if scope == "member":
            query = query.where(member_side)
        elif scope == "partner":
            query = query.where(partner_side)
        else:
            query = query.where(or_(member_side, partner_side))
    if status is not None:
        query = query.where(Introduction.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.options(
            joinedload(Introduction.requester_organisation),
            joinedload(Introduction.partner_organisation),
            joinedload(Introduction.requested_by).lazyload(User.role_rows),
            joinedload(Introduction.answered_by).lazyload(User.role_rows),
            selectinload(Introduction.events),
            selectinload(Introduction.outcomes),
        )
        .order_by(Introduction.created_at.desc(), Introduction.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(items), total


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
    large organisation; one open or accepted request per pair."""
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
    if not policies.is_partner(partner):
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
    if introduction.status == IntroductionStatus.requested and not contacts:
        raise InvalidTransition(gettext("This partner has no contact person to forward to."))
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
    transition(
        session, introduction, IntroductionStatus.screened_out, actor=actor, data={"reason": reason}
    )
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


def _require_partner(session: Session, actor: User, introduction: Introduction) -> None:
    if not policies.can_answer(session, actor, introduction):
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
    if not policies.can_record_outcome(session, actor, introduction):
        raise Forbidden(gettext("Only the two sides of the introduction may record outcomes."))
    if introduction.status != IntroductionStatus.accepted:
        raise InvalidTransition(gettext("Outcomes can be recorded only after acceptance."))
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
    is_staff = viewer.is_staff
    member_side = policies.on_member_side(session, viewer, introduction)
    partner_side = policies.on_partner_side(session, viewer, introduction)
    accepted = policies.sees_contacts(introduction)

    def contact(user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {"full_name": user.full_name, "email": user.email, "phone": user.phone}

    member_contact = (
        contact(introduction.requested_by) if (is_staff or member_side or accepted) else None
    )
    partner_contact = (
        contact(introduction.answered_by) if (is_staff or partner_side or accepted) else None
    )
    decline_reason = introduction.decline_reason
    if not (is_staff or partner_side or introduction.decline_reason_shared):
        decline_reason = None
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
        "can_answer": introduction.status == IntroductionStatus.forwarded and partner_side,
        "can_broker": is_staff and introduction.status == IntroductionStatus.requested,
        "can_record_outcome": accepted and (member_side or partner_side),
    }


# --- Success stories --------------------------------------------------------------------------


def _story_sides(session: Session, actor: User, story: SuccessStory) -> tuple[bool, bool]:
    introduction = story.outcome.introduction
    return (
        policies.on_member_side(session, actor, introduction),
        policies.on_partner_side(session, actor, introduction),
    )


def draft_story(
    session: Session,
    *,
    actor: User,
    outcome_id: int,
    title_ru: str,
    title_en: str,
    body_ru: str,
    body_en: str,
) -> SuccessStory:
    """Staff draft a story from an outcome; it stays private until both organisations consent."""
    outcome = session.get(Outcome, outcome_id)
    if outcome is None:
        raise FieldError("outcome_id", gettext("There is no such outcome."))
    if session.scalar(select(SuccessStory.id).where(SuccessStory.outcome_id == outcome_id)):
        raise InvalidTransition(gettext("This outcome already has a story."))
    story = SuccessStory(
        outcome_id=outcome_id,
        title_ru=title_ru,
        title_en=title_en,
        body_ru=body_ru,
        body_en=body_en,
        created_by_id=actor.id,
    )
    story.outcome = outcome
    session.add(story)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="success_story.draft",
        entity_type="success_story",
        entity_id=story.id,
        data={"outcome_id": outcome_id},
    )
    _ask_for_consent(session, story, key=f"story:{story.id}:consent")
    return story


def _ask_for_consent(session: Session, story: SuccessStory, *, key: str) -> None:
    introduction = story.outcome.introduction
    for person in (introduction.requested_by, introduction.answered_by):
        if person is not None:
            notify(
                session,
                recipient=person,
                kind=STORY,
                template="introductions/story",
                key=f"{key}:{person.id}",
                context={"title": story.title_ru if person.locale == "ru" else story.title_en},
                link=f"/success-stories/{story.id}",
            )


STORY_TEXTS = ("title_ru", "title_en", "body_ru", "body_en")


def edit_story(
    session: Session, *, actor: User, story_id: int, values: dict[str, str]
) -> SuccessStory:
    """Staff correct a story's text. Consent was given to the old text, so a changed text is
    taken off the public list until both organisations consent again."""
    story = session.get(SuccessStory, story_id)
    if story is None:
        raise NotFound(gettext("Story not found."))
    changed = {k: v for k, v in values.items() if k in STORY_TEXTS and getattr(story, k) != v}
    if not changed:
        return story
    for key, value in changed.items():
        setattr(story, key, value)
    story.member_consent_at = story.member_consent_by_id = None
    story.partner_consent_at = story.partner_consent_by_id = None
    story.published_at = None
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="success_story.edit",
        entity_type="success_story",
        entity_id=story.id,
        data={"fields": sorted(changed)},
    )
    _ask_for_consent(session, story, key=f"story:{story.id}:consent:{utcnow().isoformat()}")
    return story


def get_story(session: Session, *, actor: User | None, story_id: int) -> SuccessStory:
    """Published stories are public; drafts only for staff and the two organisations."""
    story = session.get(SuccessStory, story_id)
    if story is None:
        raise NotFound(gettext("Story not found."))
    if story.is_published:
        return story
    if actor is not None and (actor.is_staff or any(_story_sides(session, actor, story))):
        return story
    raise NotFound(gettext("Story not found."))


def set_consent(session: Session, *, actor: User, story_id: int, consent: bool) -> SuccessStory:
    """Each organisation gives or withdraws its consent; the story is public exactly while both
    consent."""
    story = get_story(session, actor=actor, story_id=story_id)
    member_side, partner_side = _story_sides(session, actor, story)
    if not (member_side or partner_side):
        raise Forbidden(gettext("Only the two organisations may consent to publication."))
    now = utcnow() if consent else None
    by = actor.id if consent else None
    if member_side:
        story.member_consent_at, story.member_consent_by_id = now, by
    if partner_side:
        story.partner_consent_at, story.partner_consent_by_id = now, by
    both = story.member_consent_at is not None and story.partner_consent_at is not None
    if both and story.published_at is None:
        story.published_at = utcnow()
    elif not both:
        story.published_at = None
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="success_story.consent" if consent else "success_story.withdraw",
        entity_type="success_story",
        entity_id=story.id,
        data={
            "member_side": member_side,
            "partner_side": partner_side,
            "published": story.is_published,
        },
    )
    return story


def list_stories(
    session: Session, *, actor: User | None, limit: int, offset: int, drafts: bool = False
) -> tuple[list[SuccessStory], int]:
    """The public list holds published stories only; staff may ask for every story."""
    query = select(SuccessStory)
    if not (drafts and actor is not None and actor.is_staff):
        query = query.where(SuccessStory.published_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.options(joinedload(SuccessStory.outcome))
        .order_by(SuccessStory.published_at.desc(), SuccessStory.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(items), total


def story_view(story: SuccessStory) -> dict[str, Any]:
    return {
        "id": story.id,
        "outcome_id": story.outcome_id,
        "introduction_id": story.outcome.introduction_id,
        "title_ru": story.title_ru,
        "title_en": story.title_en,
        "body_ru": story.body_ru,
        "body_en": story.body_en,
        "member_consent": story.member_consent_at is not None,
        "partner_consent": story.partner_consent_at is not None,
        "published": story.is_published,
        "published_at": story.published_at,
    }


# --- personal data -----------------------------------------------------------------------------


@register_exporter("introductions")
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
