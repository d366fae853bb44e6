"""Accounts: registration with consent, login, tokens, password reset, roles, export, erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts import credentials, throttling
from app.accounts.models import (
    ApiToken,
    Organisation,
    OrganisationMember,
    PasswordResetToken,
    Role,
    User,
    UserRole,
    WebSession,
)
from app.accounts.passwords import (
    hash_password,
    password_problem,
    unusable_password_hash,
    verify_password,
)
from app.accounts.personal_data import register_exporter
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, FieldError, NotFound
from app.i18n import gettext
from app.notifications import kinds
from app.notifications.service import notify


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("User not found."))
    return user


def register(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    locale: str,
    timezone: str,
    consent_personal_data: bool,
    ip_address: str | None = None,
) -> User:
    """Create an entrepreneur account; consent to personal-data processing is recorded."""
    if not consent_personal_data:
        raise FieldError(
            "consent_personal_data",
            gettext("Consent to the processing of personal data is required."),
        )
    email = normalise_email(email)
    problem = password_problem(password, email=email)
    if problem:
        raise FieldError("password", problem)
    if find_user_by_email(session, email) is not None:
        raise Conflict(gettext("An account with this email address already exists."))
    settings = get_settings()
    user = User(
        email=email,
        password_hash=hash_password(password),
        full_name=full_name,
        locale=locale,
        timezone=timezone,
        consent_at=utcnow(),
        consent_policy_version=settings.privacy_policy_version,
        role_rows=[UserRole(role=Role.entrepreneur)],
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(gettext("An account with this email address already exists.")) from exc
    audit.record(
        session,
        actor_id=user.id,
        action="user.registered",
        entity_type="user",
        entity_id=user.id,
        data={"consent_policy_version": settings.privacy_policy_version},
        ip_address=ip_address,
    )
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(session: Session, *, email: str, password: str, ip_address: str) -> LoginResult:
    """Check a password under the throttle. A failure is recorded, so the caller must commit it
    (it answers 401 without raising)."""
    email = normalise_email(email)[:254]
    throttling.ensure_login_allowed(session, email=email, ip_address=ip_address)
    user = find_user_by_email(session, email)
    valid = verify_password(user.password_hash if user else None, password[:1024])
    if user is None or not valid or not user.is_active:
        throttling.record_failure(session, email=email, ip_address=ip_address)
        audit.record(
            session,
            actor_id=user.id if user else None,
            action="auth.login_failed",
            entity_type="user",
            entity_id=user.id if user else None,
            data={"email": email},
            ip_address=ip_address,
        )
        return LoginResult(None)
    throttling.forget_failures(session, email=email)
    return LoginResult(user)


def start_browser_session(
    session: Session, user: User, *, ip_address: str, user_agent: str | None
) -> str:
    cookie_value = credentials.open_session(
        session, user, ip_address=ip_address, user_agent=user_agent
    )
    audit.record(
        session,
        actor_id=user.id,
        action="auth.login",
        entity_type="user",
        entity_id=user.id,
        data={"via": "session"},
        ip_address=ip_address,
    )
    return cookie_value


def end_browser_session(
    session: Session, cookie_value: str, *, user: User | None, ip_address: str
) -> None:
    credentials.close_session(session, cookie_value)
    if user is not None:
        audit.record(
            session,
            actor_id=user.id,
            action="auth.logout",
            entity_type="user",
            entity_id=user.id,
            ip_address=ip_address,
        )


def issue_token(session: Session, user: User, *, name: str, ip_address: str) -> str:
    """A new bearer token; its owner is told by email (security mail, always sent)."""
    token, secret = credentials.issue_api_token(session, user, name=name)
    audit.record(
        session,
        actor_id=user.id,
        action="auth.login",
        entity_type="user",
        entity_id=user.id,
        data={"via": "token", "token_id": token.id},
        ip_address=ip_address,
    )
    notify(
        session,
        recipient=user,
        kind=kinds.NEW_TOKEN,
        template="accounts/new_token",
        key=f"account.new_token:{token.id}",
        context={"token_name": name, "ip_address": ip_address, "created_at": token.created_at},
        link="/account/tokens",
    )
    return secret


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(gettext("Token not found."))
    session.delete(token)
    audit.record(
        session,
        actor_id=user.id,
        action="auth.token_revoked",
        entity_type="api_token",
        entity_id=token_id,
    )
    session.flush()


def request_password_reset(session: Session, *, email: str, ip_address: str) -> None:
    """Mail a one-time link if the account exists; say nothing either way."""
    user = find_user_by_email(session, email[:254])
    if user is None or not user.is_active:
        return
    secret = credentials.new_secret()
    reset = PasswordResetToken(
        user_id=user.id,
        token_hash=credentials.digest(secret),
        expires_at=utcnow() + timedelta(hours=get_settings().password_reset_hours),
    )
    session.add(reset)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="auth.password_reset_requested",
        entity_type="user",
        entity_id=user.id,
        ip_address=ip_address,
    )
    notify(
        session,
        recipient=user,
        kind=kinds.PASSWORD_RESET,
        template="accounts/password_reset",
        key=f"account.password_reset:{reset.id}",
        context={"valid_hours": get_settings().password_reset_hours},
        link=f"/password-reset/{secret}",
        in_app=False,
    )


def find_valid_reset(session: Session, secret: str) -> PasswordResetToken | None:
    reset = session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == credentials.digest(secret)
        )
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def complete_password_reset(
    session: Session, *, secret: str, new_password: str, ip_address: str
) -> User:
    reset = find_valid_reset(session, secret)
    if reset is None:
        raise NotFound(gettext("This link is invalid or has expired."))
    user = get_user(session, reset.user_id)
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise FieldError("password", problem)
    user.password_hash = hash_password(new_password)
    reset.used_at = utcnow()
    credentials.close_all_sessions(session, user.id)
    audit.record(
        session,
        actor_id=user.id,
        action="auth.password_reset",
        entity_type="user",
        entity_id=user.id,
        ip_address=ip_address,
    )
    session.flush()
    return user


def change_password(
    session: Session, user: User, *, current_password: str, new_password: str
) -> None:
    if not verify_password(user.password_hash, current_password):
        raise FieldError("current_password", gettext("The current password is not correct."))
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise FieldError("new_password", problem)
    user.password_hash = hash_password(new_password)
    audit.record(
        session,
        actor_id=user.id,
        action="auth.password_changed",
        entity_type="user",
        entity_id=user.id,
    )
    session.flush()


def update_profile(session: Session, user: User, changes: dict[str, Any]) -> User:
    for field in ("full_name", "locale", "timezone", "phone"):
        if field in changes and changes[field] is not None:
            setattr(user, field, changes[field])
    session.flush()
    return user


def grant_role(session: Session, *, actor: User, user_id: int, role: Role) -> User:
    user = get_user(session, user_id)
    if role not in user.roles:
        user.role_rows.append(UserRole(role=role, granted_by_id=actor.id))
        audit.record(
            session,
            actor_id=actor.id,
            action="user.role_granted",
            entity_type="user",
            entity_id=user.id,
            data={"role": role.value},
        )
        session.flush()
    return user


def revoke_role(session: Session, *, actor: User, user_id: int, role: Role) -> User:
    user = get_user(session, user_id)
    if role == Role.entrepreneur:
        raise Conflict(gettext("Every user keeps the entrepreneur role."))
    if role == Role.admin and user.id == actor.id:
        raise Conflict(gettext("You cannot remove your own administrator role."))
    row = next((r for r in user.role_rows if r.role == role), None)
    if row is None:
        raise NotFound(gettext("The user does not hold this role."))
    user.role_rows.remove(row)
    audit.record(
        session,
        actor_id=actor.id,
        action="user.role_revoked",
        entity_type="user",
        entity_id=user.id,
        data={"role": role.value},
    )
    session.flush()
    return user


def set_active(session: Session, *, actor: User, user_id: int, active: bool) -> User:
    """Disabling a user ends their sessions and tokens at once."""
    user = get_user(session, user_id)
    if user.id == actor.id and not active:
        raise Conflict(gettext("You cannot disable your own account."))
    user.is_active = active
    if not active:
        credentials.close_all_sessions(session, user.id)
        credentials.revoke_all_tokens(session, user.id)
    audit.record(
        session,
        actor_id=actor.id,
        action="user.enabled" if active else "user.disabled",
        entity_type="user",
        entity_id=user.id,
    )
    session.flush()
    return user


def list_users(
    session: Session, *, query: str | None, limit: int, offset: int
) -> tuple[list[User], int]:
    statement = select(User).where(User.erased_at.is_(None))
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            func.lower(User.email).like(pattern) | func.lower(User.full_name).like(pattern)
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    users = session.scalars(statement.order_by(User.id).limit(limit).offset(offset)).all()
    return list(users), total


def erase(session: Session, user: User, *, ip_address: str) -> None:
    """Anonymise the person's fields; their decisions and the audit chain stay intact."""
    user.email = f"erased-{user.id}@erased.invalid"
    user.full_name = gettext("Erased user")
    user.phone = None
    user.password_hash = unusable_password_hash()
    user.is_active = False
    user.erased_at = utcnow()
    user.calendar_token_hash = None
    credentials.close_all_sessions(session, user.id)
    credentials.revoke_all_tokens(session, user.id)
    audit.record(
        session,
        actor_id=user.id,
        action="user.erased",
        entity_type="user",
        entity_id=user.id,
        ip_address=ip_address,
    )
    session.flush()


@register_exporter("account")
def _export_account(session: Session, user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "locale": user.locale,
        "timezone": user.timezone,
        "roles": sorted(user.roles),
        "created_at": user.created_at.isoformat(),
        "consent": {
            "given_at": user.consent_at.isoformat() if user.consent_at else None,
            "policy_version": user.consent_policy_version,
        },
    }


@register_exporter("sessions")
def _export_sessions(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.scalars(select(WebSession).where(WebSession.user_id == user.id))
    return [
        {
            "created_at": row.created_at.isoformat(),
            "last_seen_at": row.last_seen_at.isoformat(),
            "ip_address": row.ip_address,
            "user_agent": row.user_agent,
        }
        for row in rows
    ]


@register_exporter("api_tokens")
def _export_tokens(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat()}
        for t in list_tokens(session, user)
    ]


@register_exporter("organisations")
def _export_organisations(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Organisation, OrganisationMember.role)
        .join(OrganisationMember)
        .where(OrganisationMember.user_id == user.id)
    ).all()
    return [{"id": org.id, "name": org.name, "role": role} for org, role in rows]


@register_exporter("audit")
def _export_audit(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(audit.AuditEntry)
        .where(audit.AuditEntry.actor_id == user.id)
        .order_by(audit.AuditEntry.id)
    )
    return [
        {
            "at": row.created_at.isoformat(),
            "action": row.action,
            "entity": f"{row.entity_type}:{row.entity_id}",
            "ip_address": row.ip_address,
        }
        for row in rows
    ]
