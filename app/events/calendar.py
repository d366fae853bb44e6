"""Events in iCalendar: the `.ics` of one event and the events of the personal calendar feed
(the feed itself is `app.portal.calendar`). Both come from `event_entry`, with one stable UID."""

from __future__ import annotations

from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.bilingual import localized
from app.config import get_settings
from app.events.models import Event, Registration, RegistrationStatus
from app.training.calendar import CalendarEvent, build_calendar


def _host() -> str:
    return urlparse(get_settings().base_url).hostname or "cluster-portal"


def event_entry(event: Event) -> CalendarEvent:
    base = get_settings().base_url.rstrip("/")
    return CalendarEvent(
        uid=f"event-{event.id}@{_host()}",
        summary=localized(event, "title").text,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=localized(event, "location").text,
        description=localized(event, "description").text or None,
        url=f"{base}/events/{event.id}",
    )


def event_calendar(event: Event) -> bytes:
    return build_calendar([event_entry(event)])


def registered_events(session: Session, user: User) -> list[CalendarEvent]:
    """The events the user holds a seat at (the personal feed's provider)."""
    events = session.scalars(
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.registered,
        )
        .order_by(Event.starts_at)
    ).all()
    return [event_entry(e) for e in events]
