"""Login throttling per account and per client address, stored in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt
from app.config import get_settings
from app.db import utcnow
from app.errors import Throttled
from app.i18n import gettext


def ensure_login_allowed(session: Session, *, email: str, ip_address: str) -> None:
    """Refuse (429 with Retry-After) while either counter of recent failures is at its limit."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    limits = (
        (LoginAttempt.email == email, settings.login_max_failures_per_account),
        (LoginAttempt.ip_address == ip_address, settings.login_max_failures_per_address),
    )
    for condition, limit in limits:
        count, oldest = session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.created_at)).where(
                condition, LoginAttempt.created_at >= since
            )
        ).one()
        if count >= limit:
            retry_after = max(1, int((oldest + window - utcnow()).total_seconds()) + 1)
            raise Throttled(
                gettext(
                    "Too many failed attempts. Try again in %(minutes)s min.",
                    minutes=(retry_after + 59) // 60,
                ),
                retry_after=retry_after,
            )


def record_failure(session: Session, *, email: str, ip_address: str) -> None:
    session.add(LoginAttempt(email=email, ip_address=ip_address))
    session.flush()


def forget_failures(session: Session, *, email: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
