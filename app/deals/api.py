"""JSON routes: /api/v1/deals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.accounts.deps import CurrentUser, StaffUser
from app.deals import service, stories
from app.deals.models import Deal, DealStatus
from app.deals.schemas import DealIn, DealOut, DealStoryOut
from app.deps import PagingDep, SessionDep
from app.i18n import get_timezone
from app.introductions.schemas import StoryTextsIn
from app.introductions.stories import story_view
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["deals"])


def deal_out(deal: Deal) -> DealOut:
    return DealOut(
        id=deal.id,
        organisation_id=deal.organisation_id,
        organisation_name=deal.organisation.name,
        amount_rub=deal.amount_rub,
        instrument=deal.instrument,
        closed_on=deal.closed_on,
        investor_organisation_id=deal.investor_organisation_id,
        investor_name=deal.investor_label or None,
        source=deal.source,
        source_id=deal.source_id,
        status=deal.status,
        created_at=deal.created_at,
        confirmed_at=deal.confirmed_at,
        story_id=deal.story_id,
    )


def local_today() -> datetime:
    return datetime.now(get_timezone())


@router.post("/deals", response_model=DealOut, status_code=status.HTTP_201_CREATED)
def report_deal(body: DealIn, user: CurrentUser, session: SessionDep) -> DealOut:
    """An owner of a member organisation (or staff) reports a round; it counts in the reports
    only once staff confirm it."""
    deal = service.report_deal(session, actor=user, today=local_today().date(), **body.model_dump())
    return deal_out(deal)


@router.get("/deals", response_model=Page[DealOut])
def list_deals(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    status_filter: Annotated[DealStatus | None, Query(alias="status")] = None,
) -> Page[DealOut]:
    """Staff: every deal; others: their organisations' deals and, for investors, the rounds
    their organisation invested in."""
    items, total = service.list_deals(session, actor=user, paging=paging, status=status_filter)
    return Page(items=[deal_out(d) for d in items], total=total)


@router.get("/deals/{deal_id}", response_model=DealOut)
def get_deal(deal_id: int, user: CurrentUser, session: SessionDep) -> DealOut:
    return deal_out(service.get_visible(session, actor=user, deal_id=deal_id))


@router.post("/deals/{deal_id}/confirm", response_model=DealOut)
def confirm_deal(deal_id: int, user: CurrentUser, session: SessionDep) -> DealOut:
    """Staff confirm a reported deal; from then on it counts in the reports."""
    return deal_out(service.confirm(session, actor=user, deal_id=deal_id))


@router.post(
    "/deals/{deal_id}/story", response_model=DealStoryOut, status_code=status.HTTP_201_CREATED
)
def draft_story(
    deal_id: int, body: StoryTextsIn, user: StaffUser, session: SessionDep
) -> DealStoryOut:
    """Staff draft a success story from a confirmed deal (409 for a deal not confirmed or
    already told). It is published once the member organisation and, when the investor is an
    organisation on the portal, the investor consent through /api/v1/success-stories."""
    story = stories.draft_story(session, actor=user, deal_id=deal_id, **body.model_dump())
    return DealStoryOut.model_validate({**story_view(story), "deal_id": deal_id})
