"""A confirmed deal told as a success story: staff draft it, and it is published like every
other story once the member organisation and, when it is on the portal, the investor consent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.deals import policies
from app.deals.models import Deal
from app.deals.service import get_visible
from app.introductions import stories
from app.introductions.models import SuccessStory


def draft_story(
    session: Session,
    *,
    actor: User,
    deal_id: int,
    title_ru: str,
    title_en: str,
    body_ru: str,
    body_en: str,
) -> SuccessStory:
    deal = get_visible(session, actor=actor, deal_id=deal_id)
    # The deal's row lock makes a second, concurrent draft wait and then find the first story.
    deal = session.scalars(
        select(Deal)
        .where(Deal.id == deal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    refusal = policies.story_refusal(actor, deal)
    if refusal is not None:
        raise refusal
    story = stories.draft_story_of(
        session,
        actor=actor,
        member_organisation_id=deal.organisation_id,
        partner_organisation_id=deal.investor_organisation_id,
        origin={"deal_id": deal.id},
        title_ru=title_ru,
        title_en=title_en,
        body_ru=body_ru,
        body_en=body_en,
    )
    deal.story = story
    session.flush()
    return story
