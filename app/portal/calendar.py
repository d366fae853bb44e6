"""The personal calendar feed: the events every domain holds for the user, in one iCalendar
file behind a secret, revocable URL (issued on the user's trainings page)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.events import calendar as events
from app.meetings import calendar as meetings
from app.meetings import pitch_agendas
from app.training import calendar as training
from app.training.calendar import CalendarEvent, EventProvider

PROVIDERS: tuple[EventProvider, ...] = (
    meetings.meeting_events,
    pitch_agendas.pitch_day_events,
    training.training_events,
    events.registered_events,
)


def personal_events(session: Session, user: User) -> list[CalendarEvent]:
    events: list[CalendarEvent] = []
    for provider in PROVIDERS:
        events.extend(provider(session, user))
    return sorted(events, key=lambda e: (e.starts_at, e.uid))


def personal_feed(session: Session, user: User, *, name: str) -> bytes:
    return training.build_calendar(personal_events(session, user), name=name)
