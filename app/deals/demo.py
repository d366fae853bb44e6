"""Demo data: the demo member's seed round from the demo fund, confirmed by staff and told as a
success story both organisations consented to, and the English-speaking member's grant, reported
and waiting for staff (idempotent)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.deals import service, stories
from app.deals.models import Deal, DealSource, Instrument
from app.deals.queries import confirmed_deal
from app.introductions.stories import set_consent
from app.membership.queries import is_member_organisation


def _needs_deal(session: Session, organisation: Any) -> bool:
    return (
        organisation is not None
        and is_member_organisation(session, organisation.id)
        and session.scalar(select(Deal.id).where(Deal.organisation_id == organisation.id)) is None
    )


def load(session: Session, world: Any) -> None:
    today = date.today()
    geo, robot, fund = (world.organisations.get(key) for key in ("geo", "robot", "fund"))
    if fund is not None and _needs_deal(session, geo):
        deal = service.report_deal(
            session,
            actor=world.users["founder"],
            today=today,
            organisation_id=geo.id,
            amount_rub=15_000_000,
            instrument=Instrument.equity,
            closed_on=today - timedelta(days=20),
            investor_organisation_id=fund.id,
            source=DealSource.meeting,
        )
        service.confirm(session, actor=world.users["staff"], deal_id=deal.id)
    if geo is not None and fund is not None:
        _success_story(session, world, geo.id)
    if _needs_deal(session, robot):
        service.report_deal(
            session,
            actor=world.users["founder_en"],
            today=today,
            organisation_id=robot.id,
            amount_rub=3_000_000,
            instrument=Instrument.grant,
            closed_on=today - timedelta(days=5),
            investor_name="Фонд содействия инновациям",
            source=DealSource.external,
        )


def _success_story(session: Session, world: Any, organisation_id: int) -> None:
    """The seed round told as a success story, public with the member's and the fund's consent."""
    deal = session.scalar(
        select(Deal).where(
            Deal.organisation_id == organisation_id,
            confirmed_deal(),
            Deal.investor_organisation_id.is_not(None),
            Deal.story_id.is_(None),
        )
    )
    if deal is None:
        return
    story = stories.draft_story(
        session,
        actor=world.users["staff"],
        deal_id=deal.id,
        title_ru="ГеоТех Сибирь привлекла посевной раунд от фонда «Северный венчур»",
        title_en="GeoTech Siberia raised a seed round from the Northern Venture fund",
        body_ru=(
            "Команда познакомилась с фондом на встрече, назначенной через портал кластера.\n\n"
            "Через три месяца фонд вложил 15 млн рублей в развитие спутникового мониторинга."
        ),
        body_en=(
            "The team met the fund at a meeting booked through the cluster portal.\n\n"
            "Three months later the fund invested 15 million roubles in satellite monitoring."
        ),
    )
    for person in ("founder", "investor"):
        set_consent(session, actor=world.users[person], story_id=story.id, consent=True)
