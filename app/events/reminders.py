"""A reminder 24 hours before each event, once per seat."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.events.models import Event, Registration, RegistrationStatus
from app.events.service import REMINDER, event_context
from app.notifications.service import notify

LEAD_TIME = timedelta(hours=24)


def remind_upcoming_events(session: Session, now: datetime) -> int:
    """Everyone holding a seat at an event that starts within the next 24 hours, not yet
    reminded, gets one reminder; `reminder_sent_at` and the idempotency key make it once."""
    rows = session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.status == RegistrationStatus.registered,
            Registration.reminder_sent_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + LEAD_TIME,
        )
        .order_by(Registration.id)
    ).all()
    for registration, event in rows:
        notify(
            session,
            recipient=registration.user,
            kind=REMINDER,
            template="events/reminder",
            key=f"events.reminder.{registration.id}.{event.starts_at.isoformat()}",
            context=event_context(event),
            link=f"/events/{event.id}",
        )
        registration.reminder_sent_at = now
    session.flush()
    return len(rows)
