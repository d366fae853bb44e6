"""Scheduled jobs: remind investors of pending requests, then expire the ones left unanswered;
remind both sides of a meeting 24 hours before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.meetings.bookings import remind_upcoming_meetings
from app.meetings.requests import expire_requests, remind_pending


def pending_requests(session: Session, now: datetime) -> int:
    return remind_pending(session, now) + expire_requests(session, now)


def upcoming_meetings(session: Session, now: datetime) -> int:
    return remind_upcoming_meetings(session, now)
