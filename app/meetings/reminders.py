"""Scheduled jobs: remind investors of pending requests, then expire the ones left unanswered;
remind both sides of a meeting 24 hours before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.meetings import service
from app.notifications.worker import register_reminder


@register_reminder("meetings.pending_requests")
def pending_requests(session: Session, now: datetime) -> int:
    return service.remind_pending(session, now) + service.expire_requests(session, now)


@register_reminder("meetings.upcoming")
def upcoming_meetings(session: Session, now: datetime) -> int:
    return service.remind_upcoming_meetings(session, now)
