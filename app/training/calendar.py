"""iCalendar files: one per training session, the training events of the personal feed, and
the secret URL of that feed.

The personal feed (`/calendar/{token}.ics`, served by `app.portal.calendar`) collects the events
of each domain's provider, e.g. `training_events` here:

    def meeting_events(session: Session, user: User) -> list[CalendarEvent]:
        return [CalendarEvent(uid=f"meeting-{m.id}@cluster-portal", ...) for m in ...]

A provider returns the user's events (times tz-aware; written in UTC). UIDs must be stable, so
that calendar apps update an event instead of duplicating it. The token is random; only its
SHA-256 is stored (`users.calendar_token_hash`); issuing a new one revokes the old URL.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.accounts.models import User
from app.bilingual import localized
from app.config import get_settings
from app.db import utcnow
from app.training.models import Course, Enrolment, EnrolmentStatus, TrainingSession


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str | None = None
    description: str | None = None
    url: str | None = None
    sequence: int | None = None
    status: str | None = None


EventProvider = Callable[[Session, User], list[CalendarEvent]]


def _host() -> str:
    return urlparse(get_settings().base_url).hostname or "cluster-portal"


def session_event(training_session: TrainingSession) -> CalendarEvent:
    course: Course = training_session.course
    base = get_settings().base_url.rstrip("/")
    place = localized(training_session, "location").text or training_session.online_url
    description = localized(course, "description").text
    if training_session.online_url:
        description = f"{description}\n\n{training_session.online_url}".strip()
    return CalendarEvent(
        uid=f"training-session-{training_session.id}@{_host()}",
        summary=localized(course, "title").text,
        starts_at=training_session.starts_at,
        ends_at=training_session.ends_at,
        location=place,
        description=description or None,
        url=f"{base}/sessions/{training_session.id}",
    )


def build_calendar(events: list[CalendarEvent], *, name: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Cluster Portal//training//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    stamp = utcnow().replace(microsecond=0)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.sequence is not None:
            event.add("sequence", item.sequence)
        if item.status:
            event.add("status", item.status)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def training_events(session: Session, user: User) -> list[CalendarEvent]:
    """The sessions the user holds a seat in."""
    sessions = session.scalars(
        select(TrainingSession)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .options(joinedload(TrainingSession.course))
        .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.enrolled)
        .order_by(TrainingSession.starts_at)
    ).all()
    return [session_event(s) for s in sessions]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/calendar/{token}.ics"


def issue_feed_token(session: Session, *, actor: User) -> str:
    """A new secret feed URL for the user; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    actor.calendar_token_hash = _hash(token)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.calendar_token_issued",
        entity_type="user",
        entity_id=actor.id,
    )
    return token


def revoke_feed_token(session: Session, *, actor: User) -> None:
    actor.calendar_token_hash = None
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.calendar_token_revoked",
        entity_type="user",
        entity_id=actor.id,
    )


def user_for_feed_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = session.scalar(select(User).where(User.calendar_token_hash == _hash(token)))
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    return user
