"""Demo data of investor meetings: the demo fund's profile, two weeks of availability of the demo
investor, and a pitch day. Loading twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import DomainError
from app.meetings import service
from app.meetings.models import AvailabilityWindow, InvestorProfile, PitchDay

PROFILE = {
    "sectors": ["software", "geoinformation", "industrial_it", "fintech"],
    "stages": ["seed", "early"],
    "ticket_min_rub": 5_000_000,
    "ticket_max_rub": 50_000_000,
    "thesis": (
        "Инвестируем в B2B-программное обеспечение и геоинформационные сервисы из Сибири и "
        "Северо-Запада: команда с первыми платящими клиентами, понятная юнит-экономика, "
        "готовность к выходу на рынки ЕАЭС."
    ),
    "contact_email": "investor@demo.cluster",
    "contact_phone": "+7 812 000-00-00",
}


def _upcoming_weekdays(count: int) -> list[datetime]:
    """Mornings (10:00 Moscow = 07:00 UTC) of the next working days within two weeks."""
    days: list[datetime] = []
    day = utcnow().date() + timedelta(days=1)
    while len(days) < count and day <= utcnow().date() + timedelta(days=14):
        if day.weekday() < 5:
            days.append(datetime.combine(day, time(7, 0), tzinfo=UTC))
        day += timedelta(days=1)
    return days


def load(session: Session, world: Any) -> None:
    investor = world.users["investor"]
    staff = world.users["staff"]
    fund = world.organisations["fund"]
    if session.get(InvestorProfile, fund.id) is None:
        service.save_profile(session, actor=investor, organisation_id=fund.id, values=PROFILE)

    for start in _upcoming_weekdays(6)[::2]:
        end = start + timedelta(hours=3)
        clash = session.scalar(
            select(AvailabilityWindow.id).where(
                AvailabilityWindow.investor_id == investor.id,
                AvailabilityWindow.starts_at < end,
                AvailabilityWindow.ends_at > start,
            )
        )
        if clash is None:
            service.add_availability(
                session, actor=investor, starts_at=start, ends_at=end, slot_minutes=30
            )

    exists = session.scalar(
        select(PitchDay.id).where(
            PitchDay.created_by_id == staff.id, PitchDay.date >= utcnow().date()
        )
    )
    if exists is not None:
        return
    day = service.create_pitch_day(
        session,
        actor=staff,
        values={
            "date": utcnow().date() + timedelta(days=10),
            "slot_starts": [time(10, 0), time(10, 30), time(11, 0), time(11, 30), time(12, 0)],
            "slot_minutes": 25,
            "tables": 4,
        },
    )
    for key in ("fund", "geo", "robot"):
        organisation = world.organisations[key]
        try:
            with session.begin_nested():
                service.register_participant(
                    session,
                    actor=staff,
                    pitch_day_id=day.id,
                    organisation_id=organisation.id,
                    slots=None,
                )
        except DomainError:
            continue  # a start-up without an active membership does not take part
