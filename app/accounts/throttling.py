"""Throttles for logins and password resets: a counter row per key, stored in the database.

A hit is counted with one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`)
*before* the guarded work, so concurrent requests cannot all read "under the limit": the row
lock orders them and each sees the count of the ones before it. A refused hit raises, and the
request's rollback takes the hit back. Windows are fixed: they start at the first hit and the
count starts again once a window has passed.

Keys are an HMAC of the scope and the value counted (an address, a client address), so the table
holds no address in the clear, and the counters of an erased person can still be found.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.accounts.models import ThrottleCounter
from app.config import get_settings
from app.db import is_postgresql, utcnow
from app.errors import Throttled
from app.i18n import N_, gettext
from app.metrics import LOGIN_THROTTLED

LOGIN_ACCOUNT = "login:account"
LOGIN_ADDRESS = "login:address"
RESET_TARGET = "reset:target"
RESET_CLIENT = "reset:client"

TOO_MANY_LOGINS = N_("Too many failed attempts. Try again in %(minutes)s min.")
TOO_MANY_RESETS = N_("Too many password reset requests. Try again in %(minutes)s min.")


def counter_key(scope: str, value: str) -> str:
    secret = get_settings().secret_key.encode("utf-8")
    return hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def hit(session: Session, *, scope: str, value: str, window: timedelta) -> tuple[int, datetime]:
    """Count one hit on the key; returns the hits of the current window and when it began."""
    now = utcnow()
    insert = (postgresql.insert if is_postgresql(session) else sqlite.insert)(ThrottleCounter)
    proposed = insert.values(key=counter_key(scope, value), window_started_at=now, hits=1)
    expired = ThrottleCounter.window_started_at <= now - window
    statement = proposed.on_conflict_do_update(
        index_elements=[ThrottleCounter.key],
        set_={
            "hits": case((expired, 1), else_=ThrottleCounter.hits + 1),
            "window_started_at": case(
                (expired, proposed.excluded.window_started_at),
                else_=ThrottleCounter.window_started_at,
            ),
        },
    ).returning(ThrottleCounter.hits, ThrottleCounter.window_started_at)
    hits, started = session.execute(statement).one()
    return int(hits), started


def _take(
    session: Session, *, scope: str, value: str, limit: int, window: timedelta, message: str
) -> None:
    hits, started = hit(session, scope=scope, value=value, window=window)
    if hits > limit:
        LOGIN_THROTTLED.labels(scope).inc()
        retry_after = max(1, math.ceil((started + window - utcnow()).total_seconds()))
        raise Throttled(
            gettext(message, minutes=math.ceil(retry_after / 60)), retry_after=retry_after
        )


def _give_back(session: Session, *, scope: str, value: str) -> None:
    session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == counter_key(scope, value), ThrottleCounter.hits > 0)
        .values(hits=ThrottleCounter.hits - 1)
        .execution_options(synchronize_session=False)
    )


def _forget(session: Session, *, scope: str, value: str) -> None:
    session.execute(
        delete(ThrottleCounter)
        .where(ThrottleCounter.key == counter_key(scope, value))
        .execution_options(synchronize_session=False)
    )


def login_window() -> timedelta:
    return timedelta(minutes=get_settings().login_window_minutes)


def reset_window() -> timedelta:
    return timedelta(minutes=get_settings().password_reset_window_minutes)


def count_login_attempt(session: Session, *, email: str, ip_address: str) -> None:
    """Count an attempt on the account and from the client address before the password is
    checked; refuse (429 with Retry-After) once either has used up its window's attempts."""
    settings = get_settings()
    for scope, value, limit in (
        (LOGIN_ACCOUNT, email, settings.login_max_failures_per_account),
        (LOGIN_ADDRESS, ip_address, settings.login_max_failures_per_address),
    ):
        _take(
            session,
            scope=scope,
            value=value,
            limit=limit,
            window=login_window(),
            message=TOO_MANY_LOGINS,
        )


def login_succeeded(session: Session, *, email: str, ip_address: str) -> None:
    """A right password clears the account's failures and does not count against the client."""
    _forget(session, scope=LOGIN_ACCOUNT, value=email)
    _give_back(session, scope=LOGIN_ADDRESS, value=ip_address)


def count_password_reset(session: Session, *, email: str, ip_address: str) -> None:
    """Count a reset request for the address and from the client, whether or not the address
    has an account; refuse (429 with Retry-After) above either limit."""
    settings = get_settings()
    for scope, value, limit in (
        (RESET_TARGET, email, settings.password_reset_max_per_address),
        (RESET_CLIENT, ip_address, settings.password_reset_max_per_client),
    ):
        _take(
            session,
            scope=scope,
            value=value,
            limit=limit,
            window=reset_window(),
            message=TOO_MANY_RESETS,
        )


def forget_address(session: Session, *, email: str) -> None:
    """Drop the counters kept for an email address (erasure)."""
    for scope in (LOGIN_ACCOUNT, RESET_TARGET):
        _forget(session, scope=scope, value=email)


def purge_expired(session: Session, now: datetime) -> int:
    """Delete counters whose window has passed: they no longer refuse anything."""
    longest = max(login_window(), reset_window())
    result = session.execute(
        delete(ThrottleCounter)
        .where(ThrottleCounter.window_started_at <= now - longest)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
