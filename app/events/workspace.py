"""Events' parts of the workspace: the events a person holds a place at, and the staff's
events to come."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.workspace import WorkItem, single_or_list
from app.db import utcnow
from app.events.models import Event, Registration, RegistrationStatus
from app.i18n import gettext


def upcoming_events(session: Session, user: User) -> list[WorkItem]:
    """Events ahead where the user has a seat or a waitlist place; when the next begins."""
    count, first = session.execute(
        select(func.count(Registration.id), func.min(Event.starts_at))
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            Registration.status.in_((RegistrationStatus.registered, RegistrationStatus.waitlisted)),
            Event.starts_at > utcnow(),
        )
    ).one()
    if not count:
        return [WorkItem(gettext("Find an event"), "/events")]
    return [WorkItem(gettext("Your upcoming events"), "/events", count=count, next=first)]


def events_ahead(session: Session, user: User) -> list[WorkItem]:
    """Events staff have published that are yet to start; the nearest one's start."""
    count, first, nearest = session.execute(
        select(func.count(Event.id), func.min(Event.id), func.min(Event.starts_at)).where(
            Event.starts_at > utcnow()
        )
    ).one()
    if not count:
        return []
    href = single_or_list(count, first, "/events/{id}/participants", "/events/manage")
    return [WorkItem(gettext("Events ahead"), href, count=count, next=nearest)]
