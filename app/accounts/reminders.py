"""Worker duties of accounts: answer password-reset requests, and drop expired sessions,
throttle counters and reset links (as /privacy promises). `app.domains` hands them to the
worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts import service


def send_password_resets(session: Session, now: datetime) -> int:
    return service.send_requested_resets(session, now)


def housekeeping(session: Session, now: datetime) -> int:
    """Queues no mail; it only deletes."""
    service.housekeeping(session, now)
    return 0
