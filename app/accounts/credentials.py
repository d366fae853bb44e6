"""Browser sessions and bearer tokens: random secrets handed out once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import ApiToken, User, WebSession
from app.config import get_settings
from app.db import session_scope, utcnow
from app.web import Principal, Touch

K = TypeVar("K")

TOKEN_PREFIX = "cp_"
# last_seen_at is refreshed at most this often, so that reading pages rarely writes.
TOUCH_INTERVAL = timedelta(minutes=1)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def open_session(
    session: Session, user: User, *, ip_address: str | None, user_agent: str | None
) -> str:
    """Start a browser session and return the cookie value (a new id at every login)."""
    secret = new_secret()
    session.add(
        WebSession(
            id=digest(secret),
            user_id=user.id,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return secret


def session_is_current(web_session: WebSession, now: datetime) -> bool:
    settings = get_settings()
    idle_limit = web_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = web_session.created_at + timedelta(hours=settings.session_absolute_hours)
    return now < idle_limit and now < absolute_limit


# The lookups of every signed-in request, built once: building a statement costs more than
# running this one. The principal needs no roles: lazyload spares a query.
_SESSION_AND_USER = (
    select(WebSession, User)
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.id == bindparam("digest"))
    .options(lazyload(User.role_rows))
)
_TOKEN_AND_USER = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
    .options(lazyload(User.role_rows))
)


def find_session_user(session: Session, cookie_value: str) -> tuple[WebSession, User] | None:
    """The live session behind a cookie and its active user (read only)."""
    row = session.execute(_SESSION_AND_USER, {"digest": digest(cookie_value)}).first()
    if row is None:
        return None
    web_session, user = row
    now = utcnow()
    if not user.is_active or not session_is_current(web_session, now):
        return None
    return web_session, user


def touch_session(session: Session, web_session_id: str) -> None:
    session.execute(
        update(WebSession).where(WebSession.id == web_session_id).values(last_seen_at=utcnow())
    )


def delete_expired_sessions(session: Session) -> int:
    settings = get_settings()
    now = utcnow()
    result = session.execute(
        delete(WebSession).where(
            (WebSession.last_seen_at < now - timedelta(minutes=settings.session_idle_minutes))
            | (WebSession.created_at < now - timedelta(hours=settings.session_absolute_hours))
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def close_session(session: Session, cookie_value: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == digest(cookie_value)))


def close_all_sessions(session: Session, user_id: int, *, keep: str | None = None) -> None:
    """End every browser session of the user, except the one whose id is `keep`."""
    statement = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(WebSession.id != keep)
    session.execute(statement)


def issue_api_token(session: Session, user: User, *, name: str) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + new_secret()
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    return token, secret


def find_token_user(session: Session, secret: str) -> tuple[ApiToken, User] | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = session.execute(_TOKEN_AND_USER, {"digest": digest(secret)}).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if not user.is_active or (token.expires_at is not None and token.expires_at <= now):
        return None
    return token, user


def touch_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def revoke_all_tokens(session: Session, user_id: int) -> None:
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def resolve_principal(
    authorization: str | None, session_value: str | None
) -> tuple[Principal | None, Touch | None]:
    """Find the caller from a bearer token or the session cookie (the middleware's loader; runs
    in a worker thread). The second value refreshes the credential's last use when it is stale."""
    with session_scope(write=False) as session:
        if authorization and authorization.lower().startswith("bearer "):
            found_token = find_token_user(session, authorization[7:].strip())
            if found_token is None:
                return None, None
            token, user = found_token
            stale = token.last_used_at is None or utcnow() - token.last_used_at > TOUCH_INTERVAL
            principal = Principal(user.id, "token", str(token.id), user.locale, user.timezone)
            return principal, _touching(touch_token, token.id) if stale else None
        if session_value:
            found = find_session_user(session, session_value)
            if found is None:
                return None, None
            web_session, user = found
            stale = utcnow() - web_session.last_seen_at > TOUCH_INTERVAL
            principal = Principal(user.id, "session", web_session.id, user.locale, user.timezone)
            return principal, _touching(touch_session, web_session.id) if stale else None
    return None, None


def _touching(function: Callable[[Session, K], None], key: K) -> Touch:
    def touch() -> None:
        with session_scope(write=True) as session:
            function(session, key)

    return touch
