"""Named queries of events that other parts (the region's report) count by: an event "held" in a
year, and its "participants" (people marked as having attended)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.events.models import Event, Registration, RegistrationStatus


def held_in(year: int) -> ColumnElement[bool]:
    """An event held in the year: it started within it and has started by now."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    return and_(Event.starts_at >= start, Event.starts_at < end, Event.starts_at <= utcnow())


def events_held(session: Session, year: int) -> int:
    return session.scalar(select(func.count(Event.id)).where(held_in(year))) or 0


def event_participants(session: Session, year: int) -> int:
    """Distinct people marked as having attended an event held in the year."""
    return (
        session.scalar(
            select(func.count(func.distinct(Registration.user_id)))
            .join(Event, Event.id == Registration.event_id)
            .where(
                held_in(year),
                Registration.status == RegistrationStatus.registered,
                Registration.attended.is_(True),
            )
        )
        or 0
    )
