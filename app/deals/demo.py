"""Demo data: the demo member's seed round from the demo fund, confirmed by staff, and the
English-speaking member's grant, reported and waiting for staff (idempotent)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.deals import service
from app.deals.models import Deal, DealSource, Instrument
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
