"""JSON routes: /api/v1/partners, /api/v1/introductions, /api/v1/success-stories."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.accounts.models import Organisation, User
from app.deps import PagingDep, SessionDep
from app.introductions import service, stories
from app.introductions.models import Introduction, IntroductionStatus, PartnerProfile
from app.introductions.schemas import (
    DeclineIn,
    IntroductionIn,
    IntroductionOut,
    OutcomeIn,
    OutcomeOut,
    PartnerOut,
    PartnerProfileIn,
    ReasonIn,
    StoryEditIn,
    StoryIn,
    StoryOut,
)
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["introductions"])


def partner_out(organisation: Organisation, profile: PartnerProfile | None) -> PartnerOut:
    return PartnerOut(
        id=organisation.id,
        name=organisation.name,
        region=organisation.region,
        sector=organisation.sector,
        website=organisation.website,
        description=organisation.description,
        looking_for=list(profile.looking_for) if profile else [],
        sectors=list(profile.sectors) if profile else [],
        summary=profile.summary if profile else "",
        translations=(profile.translations or {}) if profile else {},
    )


@router.get("/partners", response_model=Page[PartnerOut])
def list_partners(user: CurrentUser, session: SessionDep, paging: PagingDep) -> Page[PartnerOut]:
    rows, total = service.list_partners(session, actor=user, paging=paging)
    return Page(items=[partner_out(o, p) for o, p in rows], total=total)


@router.get("/partners/{partner_id}", response_model=PartnerOut)
def get_partner(partner_id: int, user: CurrentUser, session: SessionDep) -> PartnerOut:
    organisation = service.get_partner_for(session, actor=user, partner_id=partner_id)
    return partner_out(organisation, service.get_profile(session, partner_id))


@router.put("/partners/{partner_id}", response_model=PartnerOut)
def update_partner(
    partner_id: int, body: PartnerProfileIn, user: CurrentUser, session: SessionDep
) -> PartnerOut:
    organisation, profile = service.update_profile(
        session,
        actor=user,
        partner_id=partner_id,
        looking_for=[item.value for item in body.looking_for],
        sectors=body.sectors,
        summary=body.summary,
        translations=body.translations,
    )
    return partner_out(organisation, profile)


def _out(session: Session, user: User, introduction: Introduction) -> IntroductionOut:
    view = service.introduction_view(session, viewer=user, introduction=introduction)
    return IntroductionOut.model_validate(view)


@router.post("/introductions", response_model=IntroductionOut, status_code=status.HTTP_201_CREATED)
def request_introduction(
    body: IntroductionIn, user: CurrentUser, session: SessionDep
) -> IntroductionOut:
    introduction = service.request_introduction(session, actor=user, **body.model_dump())
    return _out(session, user, introduction)


@router.get("/introductions", response_model=Page[IntroductionOut])
def list_introductions(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    status_filter: Annotated[IntroductionStatus | None, Query(alias="status")] = None,
    scope: Literal["mine", "member", "partner"] = "mine",
) -> Page[IntroductionOut]:
    items, total = service.list_introductions(
        session,
        actor=user,
        paging=paging,
        status=status_filter,
        scope=scope,
    )
    return Page(items=[_out(session, user, i) for i in items], total=total)


@router.get("/introductions/{introduction_id}", response_model=IntroductionOut)
def get_introduction(
    introduction_id: int, user: CurrentUser, session: SessionDep
) -> IntroductionOut:
    introduction = service.get_visible(session, actor=user, introduction_id=introduction_id)
    return _out(session, user, introduction)


@router.post("/introductions/{introduction_id}/forward", response_model=IntroductionOut)
def forward(introduction_id: int, user: StaffUser, session: SessionDep) -> IntroductionOut:
    return _out(
        session, user, service.forward(session, actor=user, introduction_id=introduction_id)
    )


@router.post("/introductions/{introduction_id}/screen-out", response_model=IntroductionOut)
def screen_out(
    introduction_id: int, body: ReasonIn, user: StaffUser, session: SessionDep
) -> IntroductionOut:
    introduction = service.screen_out(
        session, actor=user, introduction_id=introduction_id, reason=body.reason
    )
    return _out(session, user, introduction)


@router.post("/introductions/{introduction_id}/accept", response_model=IntroductionOut)
def accept(introduction_id: int, user: CurrentUser, session: SessionDep) -> IntroductionOut:
    return _out(session, user, service.accept(session, actor=user, introduction_id=introduction_id))


@router.post("/introductions/{introduction_id}/decline", response_model=IntroductionOut)
def decline(
    introduction_id: int, user: CurrentUser, session: SessionDep, body: DeclineIn | None = None
) -> IntroductionOut:
    body = body or DeclineIn()
    introduction = service.decline(
        session,
        actor=user,
        introduction_id=introduction_id,
        reason=body.reason,
        share_reason=body.share_reason,
    )
    return _out(session, user, introduction)


@router.post(
    "/introductions/{introduction_id}/outcome",
    response_model=OutcomeOut,
    status_code=status.HTTP_201_CREATED,
)
def record_outcome(
    introduction_id: int, body: OutcomeIn, user: CurrentUser, session: SessionDep
) -> OutcomeOut:
    outcome = service.record_outcome(
        session,
        actor=user,
        introduction_id=introduction_id,
        kind=body.kind,
        amount_rub=body.amount_rub,
        note=body.note,
    )
    return OutcomeOut(
        id=outcome.id,
        kind=outcome.kind,
        amount_rub=outcome.amount_rub,
        note=outcome.note,
        side=outcome.side,
        created_at=outcome.created_at,
    )


@router.post("/success-stories", response_model=StoryOut, status_code=status.HTTP_201_CREATED)
def draft_story(body: StoryIn, user: StaffUser, session: SessionDep) -> StoryOut:
    story = stories.draft_story(session, actor=user, **body.model_dump())
    return StoryOut.model_validate(stories.story_view(story))


@router.get("/success-stories", response_model=Page[StoryOut])
def list_stories(
    user: OptionalUser, session: SessionDep, paging: PagingDep, drafts: bool = False
) -> Page[StoryOut]:
    items, total = stories.list_stories(session, actor=user, paging=paging, drafts=drafts)
    return Page(items=[StoryOut.model_validate(stories.story_view(s)) for s in items], total=total)


@router.get("/success-stories/{story_id}", response_model=StoryOut)
def get_story(story_id: int, user: OptionalUser, session: SessionDep) -> StoryOut:
    story = stories.get_story(session, actor=user, story_id=story_id)
    return StoryOut.model_validate(stories.story_view(story))


@router.patch("/success-stories/{story_id}", response_model=StoryOut)
def edit_story(story_id: int, body: StoryEditIn, user: StaffUser, session: SessionDep) -> StoryOut:
    story = stories.edit_story(
        session, actor=user, story_id=story_id, values=body.model_dump(exclude_none=True)
    )
    return StoryOut.model_validate(stories.story_view(story))


@router.post("/success-stories/{story_id}/consent", response_model=StoryOut)
def consent(story_id: int, user: CurrentUser, session: SessionDep) -> StoryOut:
    story = stories.set_consent(session, actor=user, story_id=story_id, consent=True)
    return StoryOut.model_validate(stories.story_view(story))


@router.post("/success-stories/{story_id}/withdraw-consent", response_model=StoryOut)
def withdraw_consent(story_id: int, user: CurrentUser, session: SessionDep) -> StoryOut:
    story = stories.set_consent(session, actor=user, story_id=story_id, consent=False)
    return StoryOut.model_validate(stories.story_view(story))
