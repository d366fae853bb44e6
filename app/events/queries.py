"""Named queries of events that other parts (the region's report) count by: an event "held" in a
period, and its "participants" (people marked as having attended)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.events.models import Event, Registration, RegistrationStatus


def held_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """An event held in [start, end): it started within the period and has started by now."""
    return and_(Event.starts_at >= start, Event.starts_at < end, Event.starts_at <= utcnow())


def events_held(session: Session, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count(Event.id)).where(held_between(start, end))) or 0


def event_participants(session: Session, start: datetime, end: datetime) -> int:
    """Distinct people marked as having attended an event held in the period."""
    return (
        session.scalar(
            select(func.count(func.distinct(Registration.user_id)))
            .join(Event, Event.id == Registration.event_id)
            .where(
                held_between(start, end),
                Registration.status == RegistrationStatus.registered,
                Registration.attended.is_(True),
            )
        )
        or 0
    )
