"""Success stories: drafted by staff from a recorded outcome, published once both sides consent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.accounts.models import OrganisationMember, OrganisationRole, User
from app.db import utcnow
from app.errors import FieldError, Forbidden, InvalidTransition, NotFound
from app.i18n import gettext
from app.introductions import policies
from app.introductions.kinds import STORY
from app.introductions.models import Outcome, SuccessStory
from app.notifications.service import notify
from app.pagination import Paging, paginate


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
    return _drafted(session, story, actor=actor, origin={"outcome_id": outcome_id})


def draft_story_of(
    session: Session,
    *,
    actor: User,
    member_organisation_id: int,
    partner_organisation_id: int | None,
    origin: dict[str, int],
    title_ru: str,
    title_en: str,
    body_ru: str,
    body_en: str,
) -> SuccessStory:
    """A story of another record (`origin` names it in the audit log) that belongs to a member
    organisation and, when there is one, a partner organisation. The caller has checked that
    `actor` may draft it; it stays private until the organisations consent."""
    story = SuccessStory(
        member_organisation_id=member_organisation_id,
        partner_organisation_id=partner_organisation_id,
        title_ru=title_ru,
        title_en=title_en,
        body_ru=body_ru,
        body_en=body_en,
        created_by_id=actor.id,
    )
    return _drafted(session, story, actor=actor, origin=origin)


def _drafted(
    session: Session, story: SuccessStory, *, actor: User, origin: dict[str, int]
) -> SuccessStory:
    session.add(story)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="success_story.draft",
        entity_type="success_story",
        entity_id=story.id,
        data=origin,
    )
    _ask_for_consent(session, story, key=f"story:{story.id}:consent")
    return story


def _consenting_people(session: Session, story: SuccessStory) -> list[User]:
    """Who is asked to consent: the two people of the introduction, or the owners of the
    organisations the story names."""
    if story.outcome is not None:
        introduction = story.outcome.introduction
        return [p for p in (introduction.requested_by, introduction.answered_by) if p is not None]
    organisation_ids = [
        i for i in (story.member_organisation_id, story.partner_organisation_id) if i is not None
    ]
    return list(
        session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(
                OrganisationMember.organisation_id.in_(organisation_ids),
                OrganisationMember.role == OrganisationRole.owner,
            )
            .distinct()
            .order_by(User.id)
        )
    )


def _ask_for_consent(session: Session, story: SuccessStory, *, key: str) -> None:
    for person in _consenting_people(session, story):
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
    if not policies.can_view_story(session, actor, story):
        raise NotFound(gettext("Story not found."))
    return story


def set_consent(session: Session, *, actor: User, story_id: int, consent: bool) -> SuccessStory:
    """Each organisation gives or withdraws its consent; the story is public exactly while every
    side it needs consents."""
    story = get_story(session, actor=actor, story_id=story_id)
    member_side, partner_side = policies.story_sides(session, actor, story)
    if not (member_side or partner_side):
        raise Forbidden(gettext("Only the two organisations may consent to publication."))
    now = utcnow() if consent else None
    by = actor.id if consent else None
    if member_side:
        story.member_consent_at, story.member_consent_by_id = now, by
    if partner_side:
        story.partner_consent_at, story.partner_consent_by_id = now, by
    consented = policies.is_consented(story)
    if consented and story.published_at is None:
        story.published_at = utcnow()
    elif not consented:
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
    session: Session, *, actor: User | None, paging: Paging, drafts: bool = False
) -> tuple[list[SuccessStory], int]:
    """The public list holds published stories only; staff may ask for every story."""
    query = select(SuccessStory)
    if not (drafts and policies.sees_draft_stories(actor)):
        query = query.where(SuccessStory.published_at.is_not(None))
    return paginate(
        session,
        query.order_by(SuccessStory.published_at.desc(), SuccessStory.id.desc()),
        paging,
        options=[joinedload(SuccessStory.outcome)],
    )


def story_view(story: SuccessStory) -> dict[str, Any]:
    return {
        "id": story.id,
        "outcome_id": story.outcome_id,
        "introduction_id": story.outcome.introduction_id if story.outcome else None,
        "title_ru": story.title_ru,
        "title_en": story.title_en,
        "body_ru": story.body_ru,
        "body_en": story.body_en,
        "member_consent": story.member_consent_at is not None,
        "partner_consent": story.partner_consent_at is not None,
        "published": story.is_published,
        "published_at": story.published_at,
    }
