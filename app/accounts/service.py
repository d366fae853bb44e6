"""Accounts: registration with consent, login, tokens, password reset, roles, export, erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.accounts import credentials, kinds, policies, throttling
from app.accounts.models import (
    ApiToken,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    PasswordResetRequest,
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
from app.accounts.personal_data import Eraser, Releaser, Traces
from app.accounts.privacy import PRIVACY_POLICY_VERSION
from app.config import get_settings
from app.db import is_postgresql, utcnow
from app.errors import Conflict, DomainError, FieldError, NotFound, raise_field_errors
from app.i18n import LOCALES, gettext
from app.messaging import notify
from app.pagination import Paging, paginate


def normalise_email(email: str) -> str:
    return email.strip().lower()


# Roles in the same statement: every gate asks for them. Built once, as it runs on every
# signed-in request.
_USER_WITH_ROLES = (
    select(User).where(User.id == bindparam("user_id")).options(joinedload(User.role_rows))
)


def active_user(session: Session, user_id: int) -> User | None:
    """The user with their roles, if the account is active."""
    found = session.execute(_USER_WITH_ROLES, {"user_id": user_id}).unique()
    user = found.scalar_one_or_none()
    return user if user is not None and user.is_active else None


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("User not found."))
    return user


def registration_problems(
    *, email: str, password: str, consent_personal_data: bool
) -> dict[str, str]:
    """Why a registration is refused, every field at once: no consent, a weak password."""
    problems: dict[str, str] = {}
    if not consent_personal_data:
        problems["consent_personal_data"] = gettext(
            "Consent to the processing of personal data is required."
        )
    problem = password_problem(password, email=normalise_email(email)) if password else None
    if problem:
        problems["password"] = problem
    return problems


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
    raise_field_errors(
        registration_problems(
            email=email, password=password, consent_personal_data=consent_personal_data
        )
    )
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise Conflict(gettext("An account with this email address already exists."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        full_name=full_name,
        locale=locale,
        locale_chosen=True,
        timezone=timezone,
        consent_at=utcnow(),
        consent_policy_version=PRIVACY_POLICY_VERSION,
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
        data={"consent_policy_version": PRIVACY_POLICY_VERSION},
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
    """Check a password under the throttle: the attempt is counted before the password is
    looked at, so concurrent guesses cannot outrun the limit. A failure stays counted, so the
    caller must commit it (it answers 401 without raising)."""
    email = normalise_email(email)[:254]
    throttling.count_login_attempt(session, email=email, ip_address=ip_address)
    user = find_user_by_email(session, email)
    valid = verify_password(user.password_hash if user else None, password[:1024])
    if user is None or not valid or not user.is_active:
        audit.record(
            session,
            actor_id=user.id if user else None,
            action="auth.login_failed",
            entity_type="user",
            entity_id=user.id if user else None,
            ip_address=ip_address,
        )
        return LoginResult(None)
    throttling.login_succeeded(session, email=email, ip_address=ip_address)
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
    """Count the request and leave it for the worker, which mails a one-time link if the
    address belongs to an active account. The request does the same work either way, so
    neither its answer nor its timing tells whether the address is registered."""
    email = normalise_email(email)[:254]
    throttling.count_password_reset(session, email=email, ip_address=ip_address)
    session.add(PasswordResetRequest(email=email, ip_address=ip_address))
    session.flush()


RESET_BATCH = 100


def send_requested_resets(session: Session, now: datetime) -> int:
    """Answer the waiting reset requests (the worker calls this): a link for each active
    account, nothing for an unknown address; returns how many links were queued. A request
    older than a link's lifetime is dropped unanswered."""
    statement = select(PasswordResetRequest).order_by(PasswordResetRequest.id).limit(RESET_BATCH)
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    lifetime = timedelta(hours=get_settings().password_reset_hours)
    queued = 0
    for request in session.scalars(statement).all():
        user = find_user_by_email(session, request.email)
        if request.created_at > now - lifetime and user is not None and user.is_active:
            queued += _mail_reset_link(session, user, ip_address=request.ip_address, now=now)
        session.delete(request)
    session.flush()
    return queued


def _mail_reset_link(session: Session, user: User, *, ip_address: str | None, now: datetime) -> int:
    secret = credentials.new_secret()
    hours = get_settings().password_reset_hours
    reset = PasswordResetToken(
        user_id=user.id,
        token_hash=credentials.digest(secret),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
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
    message = notify(
        session,
        recipient=user,
        kind=kinds.PASSWORD_RESET,
        template="accounts/password_reset",
        key=f"account.password_reset:{reset.id}",
        context={"valid_hours": hours},
        link=f"/password-reset/{secret}",
        in_app=False,
    )
    return int(message is not None)


def find_valid_reset(session: Session, secret: str) -> PasswordResetToken | None:
    reset = session.scalar(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == credentials.digest(secret)
        )
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def _end_other_credentials(session: Session, user: User, *, keep_session: str | None) -> None:
    """After a new password: every other browser session ends, every bearer token is revoked
    and every other reset link stops working."""
    credentials.close_all_sessions(session, user.id, keep=keep_session)
    credentials.revoke_all_tokens(session, user.id)
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def complete_password_reset(
    session: Session, *, secret: str, new_password: str, ip_address: str
) -> User:
    """Set a new password through a reset link, once: the link is claimed by one conditional
    update, so of several concurrent uses exactly one gets through (the others are 404)."""
    reset = find_valid_reset(session, secret)
    if reset is None:
        raise NotFound(gettext("This link is invalid or has expired."))
    user = get_user(session, reset.user_id)
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise FieldError("password", problem)
    now = utcnow()
    claimed = session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.id == reset.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise NotFound(gettext("This link is invalid or has expired."))
    user.password_hash = hash_password(new_password)
    _end_other_credentials(session, user, keep_session=None)
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
    session: Session,
    user: User,
    *,
    current_password: str,
    new_password: str,
    current_session: str | None = None,
) -> None:
    """A new password ends every other browser session and revokes the bearer tokens; the
    browser session it was changed from (`current_session`, its id) stays."""
    if not verify_password(user.password_hash, current_password):
        raise FieldError("current_password", gettext("The current password is not correct."))
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise FieldError("new_password", problem)
    user.password_hash = hash_password(new_password)
    _end_other_credentials(session, user, keep_session=current_session)
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
    if changes.get("locale") is not None:
        user.locale_chosen = True
    session.flush()
    return user


def settle_locale_at_login(
    session: Session, user: User, *, browsing_in: str, chosen_by_visitor: bool
) -> None:
    """Signing in keeps the language the person was browsing in when they chose it with the
    language switch; an account whose owner never chose a language takes it either way."""
    if (chosen_by_visitor or not user.locale_chosen) and browsing_in in LOCALES:
        user.locale = browsing_in
        user.locale_chosen = True
        session.flush()


def _refuse(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal


def grant_role(session: Session, *, actor: User, user_id: int, role: Role) -> User:
    _refuse(policies.user_management_refusal(actor))
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
    _refuse(policies.role_revocation_refusal(actor, user, role))
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


def enable_user(session: Session, *, actor: User, user_id: int) -> User:
    """Enabling restores the login; none of what disabling released comes back."""
    _refuse(policies.user_management_refusal(actor))
    user = get_user(session, user_id)
    user.is_active = True
    audit.record(
        session, actor_id=actor.id, action="user.enabled", entity_type="user", entity_id=user.id
    )
    session.flush()
    return user


def disable_user(session: Session, *, actor: User, user_id: int, release: Releaser) -> User:
    """Disabling a user ends their sessions and tokens at once and releases what they held
    (seats, slots, pending requests: `release` runs every domain's releaser); the other sides
    are told."""
    user = get_user(session, user_id)
    _refuse(policies.disabling_refusal(actor, user))
    was_active = user.is_active
    user.is_active = False
    credentials.close_all_sessions(session, user.id)
    credentials.revoke_all_tokens(session, user.id)
    if was_active:
        release(session, actor=actor, user=user)
    audit.record(
        session, actor_id=actor.id, action="user.disabled", entity_type="user", entity_id=user.id
    )
    session.flush()
    return user


def list_users(session: Session, *, query: str | None, paging: Paging) -> tuple[list[User], int]:
    statement = select(User).where(User.erased_at.is_(None))
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            func.lower(User.email).like(pattern) | func.lower(User.full_name).like(pattern)
        )
    return paginate(session, statement.order_by(User.id), paging)


def erase(session: Session, user: User, *, release: Releaser, erase_records: Eraser) -> None:
    """Erase the person: release what they held (the other sides are told), let every domain
    delete or scrub their personal data (`release` and `erase_records` run every domain's
    releaser and eraser), then anonymise the user row. Their decisions and the audit chain
    stay, under the account number only."""
    traces = Traces.of(user)
    user.is_active = False  # from here on nothing is sent to them
    credentials.close_all_sessions(session, user.id)
    credentials.revoke_all_tokens(session, user.id)
    release(session, actor=user, user=user)
    erase_records(session, user=user, traces=traces)
    user.email = f"erased-{user.id}@erased.invalid"
    user.full_name = gettext("Erased user")
    user.phone = None
    user.password_hash = unusable_password_hash()
    user.erased_at = utcnow()
    user.calendar_token_hash = None
    audit.forget_addresses(session, actor_id=user.id)
    audit.record(
        session, actor_id=user.id, action="user.erased", entity_type="user", entity_id=user.id
    )
    session.flush()


def erase_account_records(session: Session, *, user: User, traces: Traces) -> None:
    """Reset links and requests, invitations sent to or by the person, and the throttle
    counters kept for their address."""
    email = user.email
    session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    session.execute(
        delete(PasswordResetRequest).where(func.lower(PasswordResetRequest.email) == email)
    )
    session.execute(
        delete(OrganisationInvitation).where(
            or_(
                func.lower(OrganisationInvitation.email) == email,
                OrganisationInvitation.invited_by_id == user.id,
            )
        )
    )
    throttling.forget_address(session, email=email)
    session.flush()


def housekeeping(session: Session, now: datetime) -> None:
    """Delete what has outlived its use: expired sessions, throttle counters and reset links."""
    credentials.delete_expired_sessions(session)
    throttling.purge_expired(session, now)
    session.execute(
        delete(PasswordResetToken).where(
            or_(PasswordResetToken.used_at.is_not(None), PasswordResetToken.expires_at <= now)
        )
    )


def export_account(session: Session, user: User) -> dict[str, Any]:
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


def export_sessions(session: Session, user: User) -> list[dict[str, Any]]:
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


def export_api_tokens(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat()}
        for t in list_tokens(session, user)
    ]


def export_organisations(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Organisation, OrganisationMember.role)
        .join(OrganisationMember)
        .where(OrganisationMember.user_id == user.id)
    ).all()
    return [{"id": org.id, "name": org.name, "role": role} for org, role in rows]


def export_audit(session: Session, user: User) -> list[dict[str, Any]]:
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
