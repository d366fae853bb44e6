"""`notify`: the one way the portal tells a user something, by email and in the app.

The message is a row in the outbox written in the caller's transaction: if the transaction rolls
back, nothing is sent. The idempotency key makes one business event one email (and one in-app
notice) even when the service is called twice: the key is claimed by an outbox row even when the
user turned that kind of email off (the row is then `skipped` and never delivered).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.accounts.personal_data import Traces
from app.config import get_settings
from app.db import utcnow
from app.errors import FieldError, NotFound
from app.i18n import gettext, use_locale
from app.messaging import MessageKind, all_kinds, find_kind
from app.notifications import policies
from app.notifications.attachments import Attachment, calendar_traces
from app.notifications.delivery import eml_path
from app.notifications.models import (
    EmailPreference,
    Notification,
    OutboxMessage,
    OutboxStatus,
    transition,
)
from app.pagination import Paging, paginate
from app.templating import absolute_url, render

KEY_LENGTH = 200
TITLE_LENGTH = 300


def email_enabled(session: Session, user: User, kind: MessageKind) -> bool:
    """Essential kinds are always sent; any other kind unless the user turned it off."""
    if kind.essential:
        return True
    opted_out = session.scalar(
        select(EmailPreference.id).where(
            EmailPreference.user_id == user.id, EmailPreference.kind == kind.slug
        )
    )
    return opted_out is None


def render_email(
    template: str, recipient: User | None, context: dict[str, Any], *, locale: str | None = None
) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/emails/<template>.*` in the recipient's language and
    time zone (the portal's defaults for someone without an account)."""
    settings = get_settings()
    if recipient is not None:
        locale, timezone = recipient.locale, recipient.timezone
    else:
        locale, timezone = locale or settings.default_locale, settings.default_timezone
    with use_locale(locale, timezone):
        full_context = {"recipient": recipient, **context}
        subject = " ".join(render(f"emails/{template}.subject.txt", **full_context).split())
        body_text = render(f"emails/{template}.txt", **full_context)
        body_html = render(f"emails/{template}.html", **{**full_context, "subject": subject})
    return subject[:TITLE_LENGTH], body_text, body_html


def _normalise_key(key: str) -> str:
    """Keys longer than the column keep a readable prefix and a digest of the whole."""
    if len(key) <= KEY_LENGTH:
        return key
    return f"{key[: KEY_LENGTH - 65]}:{hashlib.sha256(key.encode()).hexdigest()}"


def _existing(session: Session, key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


def notify(
    session: Session,
    *,
    recipient: User,
    kind: MessageKind,
    template: str,
    key: str,
    context: dict[str, Any] | None = None,
    link: str | None = None,
    in_app: bool = True,
    attachment: Attachment | None = None,
) -> OutboxMessage | None:
    """Queue an email and an in-app notice for one business event, once per `key`.

    Returns the outbox row of that key (status `skipped` when the user turned this kind of email
    off), or None when the recipient can no longer be reached (erased or disabled account).
    """
    if recipient.erased_at is not None or not recipient.is_active:
        return None
    key = _normalise_key(key)
    existing = _existing(session, key)
    if existing is not None:
        return existing
    context = {"link": absolute_url(link) if link else None, **(context or {})}
    subject, body_text, body_html = render_email(template, recipient, context)
    wanted = email_enabled(session, recipient, kind)
    stored = _enqueue(
        session,
        OutboxMessage(
            idempotency_key=key,
            kind=kind.slug,
            recipient_id=recipient.id,
            to_email=recipient.email,
            subject=subject,
            body_text=body_text if wanted else "",
            body_html=body_html if wanted else "",
            locale=recipient.locale,
            status=OutboxStatus.queued if wanted else OutboxStatus.skipped,
            **(_attachment_columns(attachment) if wanted else {}),
        ),
    )
    if stored is None:
        # Another transaction recorded this event first; it also made the notice.
        return _existing(session, key)
    if in_app:
        session.add(Notification(user_id=recipient.id, kind=kind.slug, title=subject, link=link))
        session.flush()
    return stored


def notify_address(
    session: Session,
    *,
    to_email: str,
    kind: MessageKind,
    template: str,
    key: str,
    context: dict[str, Any] | None = None,
    link: str | None = None,
    locale: str | None = None,
) -> OutboxMessage | None:
    """Email someone who has no account yet, in `locale` or the portal's default language."""
    key = _normalise_key(key)
    existing = _existing(session, key)
    if existing is not None:
        return existing
    locale = locale or get_settings().default_locale
    context = {"link": absolute_url(link) if link else None, **(context or {})}
    subject, body_text, body_html = render_email(template, None, context, locale=locale)
    stored = _enqueue(
        session,
        OutboxMessage(
            idempotency_key=key,
            kind=kind.slug,
            to_email=to_email,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            locale=locale,
        ),
    )
    return stored if stored is not None else _existing(session, key)


def _attachment_columns(attachment: Attachment | None) -> dict[str, str]:
    if attachment is None:
        return {}
    return {
        "attachment_filename": attachment.filename,
        "attachment_content_type": attachment.content_type,
        "attachment_text": attachment.text,
    }


def _enqueue(session: Session, message: OutboxMessage) -> OutboxMessage | None:
    """Insert under a savepoint: a concurrent insert of the same key wins; this one is a no-op."""
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message


# --- In-app notices ----------------------------------------------------------------------------


# Every page shows it: built once, as building a statement costs more than running this one.
_UNREAD_COUNT = select(func.count(Notification.id)).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
)


def unread_count(session: Session, user_id: int) -> int:
    """One indexed count (user_id, read_at): cheap enough for every page."""
    return session.scalar(_UNREAD_COUNT, {"user_id": user_id}) or 0


def list_notifications(
    session: Session, *, user: User, unread_only: bool, paging: Paging
) -> tuple[list[Notification], int]:
    """The user's own notices, newest first."""
    condition = [Notification.user_id == user.id]
    if unread_only:
        condition.append(Notification.read_at.is_(None))
    newest_first = (
        select(Notification)
        .where(*condition)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(session, newest_first, paging)


def mark_read(session: Session, *, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notices read (idempotent); someone else's notice does not exist."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(gettext("Notification not found."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
    return notification


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notice of the user read; returns how many changed."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- Email preferences -------------------------------------------------------------------------


def preferences(session: Session, user: User) -> list[tuple[MessageKind, bool]]:
    """Every registered kind with whether the user gets it by email."""
    opted_out = set(
        session.scalars(select(EmailPreference.kind).where(EmailPreference.user_id == user.id))
    )
    return [(kind, kind.essential or kind.slug not in opted_out) for kind in all_kinds()]


def set_preferences(
    session: Session, *, actor: User, email: Mapping[str, bool], field: str = "email"
) -> list[tuple[MessageKind, bool]]:
    """Turn email kinds on or off. Unknown kinds are refused; essential (security) kinds cannot
    be turned off. Kinds not named keep their setting."""
    kinds: dict[str, MessageKind] = {}
    for slug, enabled in email.items():
        kind = find_kind(slug)
        if kind is None:
            raise FieldError(field, gettext("Unknown kind of message: %(kind)s", kind=slug[:60]))
        if kind.essential and not enabled:
            raise FieldError(
                field, gettext("Security messages cannot be turned off: %(kind)s", kind=slug)
            )
        kinds[slug] = kind
    current = {
        row.kind: row
        for row in session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == actor.id)
        )
    }
    changed: dict[str, bool] = {}
    for slug, enabled in email.items():
        if enabled and slug in current:
            session.delete(current[slug])
            changed[slug] = True
        elif not enabled and slug not in current and not kinds[slug].essential:
            session.add(EmailPreference(user_id=actor.id, kind=slug))
            changed[slug] = False
    if changed:
        session.flush()
        audit.record(
            session,
            actor_id=actor.id,
            action="notifications.preferences_changed",
            entity_type="user",
            entity_id=actor.id,
            data={"email": changed},
        )
    return preferences(session, actor)


# --- The outbox, for staff ---------------------------------------------------------------------


def list_outbox(
    session: Session,
    *,
    status: OutboxStatus | None = None,
    kind: str | None = None,
    query: str | None = None,
    paging: Paging,
) -> tuple[list[OutboxMessage], int]:
    """Outbox messages, newest first, filtered by status, kind and recipient address/subject."""
    condition = []
    if status is not None:
        condition.append(OutboxMessage.status == status)
    if kind:
        condition.append(OutboxMessage.kind == kind)
    if query:
        pattern = (
            "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        condition.append(
            or_(
                func.lower(OutboxMessage.to_email).like(pattern, escape="\\"),
                func.lower(OutboxMessage.subject).like(pattern, escape="\\"),
            )
        )
    newest_first = select(OutboxMessage).where(*condition).order_by(OutboxMessage.id.desc())
    return paginate(session, newest_first, paging)


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in rows:
        counts[OutboxStatus(status)] = count
    return counts


def get_message(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(gettext("Message not found."))
    return message


def retry_message(session: Session, *, actor: User, message_id: int) -> OutboxMessage:
    """Put a dead (or failed) message back in the queue with a fresh set of attempts; any other
    status is a conflict. The last error is kept until the next attempt replaces it."""
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound(gettext("Message not found."))
    refusal = policies.retry_refusal(actor, message)
    if refusal is not None:
        raise refusal
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_at = None
    message.claimed_by = None
    transition(session, message, OutboxStatus.queued, actor=actor, action="outbox_retry")
    return message


def export_notifications(session: Session, user: User) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    notices = session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    emails = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient_id == user.id)
        .order_by(OutboxMessage.id)
    )
    return {
        "notices": [
            {
                "kind": n.kind,
                "title": n.title,
                "link": n.link,
                "created_at": iso(n.created_at),
                "read_at": iso(n.read_at),
            }
            for n in notices
        ],
        "emails": [
            {
                "kind": m.kind,
                "to": m.to_email,
                "subject": m.subject,
                "attachment": m.attachment_filename,
                "status": str(m.status),
                "created_at": iso(m.created_at),
                "sent_at": iso(m.sent_at),
            }
            for m in emails
        ],
        "email_turned_off": [
            kind.slug for kind, enabled in preferences(session, user) if not enabled
        ],
    }


def erase_notifications(session: Session, *, user: User, traces: Traces) -> None:
    """The person's own mail (delivered or not) and notices are deleted; mail and notices of
    other people that name them are scrubbed, attachments included; the `.eml` copies of both
    are removed (the outbox row stays the record of what was sent)."""
    settings = get_settings()
    in_calendars = calendar_traces(traces)
    own = or_(
        OutboxMessage.recipient_id == user.id,
        func.lower(OutboxMessage.to_email) == user.email.lower(),
    )
    files = [
        eml_path(message_id, kind, settings)
        for message_id, kind in session.execute(
            select(OutboxMessage.id, OutboxMessage.kind).where(own)
        )
    ]
    session.execute(delete(OutboxMessage).where(own).execution_options(synchronize_session=False))
    mentions = session.scalars(
        select(OutboxMessage).where(
            traces.found_in(
                OutboxMessage.subject,
                OutboxMessage.body_text,
                OutboxMessage.body_html,
                OutboxMessage.last_error,
                OutboxMessage.attachment_text,
            )
            | in_calendars.found_in(OutboxMessage.attachment_text)
        )
    ).all()
    for message in mentions:
        with use_locale(message.locale):
            message.subject = traces.scrub(message.subject)[:TITLE_LENGTH]
            message.body_text = traces.scrub(message.body_text)
            message.body_html = traces.scrub(message.body_html)
            message.last_error = traces.scrub_optional(message.last_error)
            if message.attachment_text is not None:
                message.attachment_text = in_calendars.scrub(traces.scrub(message.attachment_text))
        files.append(eml_path(message.id, message.kind, settings))
    session.execute(
        delete(Notification)
        .where(Notification.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    notices = session.execute(
        select(Notification, User.locale)
        .join(User, User.id == Notification.user_id)
        .where(traces.found_in(Notification.title))
    ).all()
    for notice, locale in notices:
        with use_locale(locale):
            notice.title = traces.scrub(notice.title)[:TITLE_LENGTH]
    session.execute(
        delete(EmailPreference)
        .where(EmailPreference.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    for path in files:
        path.unlink(missing_ok=True)


__all__ = [
    "Attachment",
    "OutboxStatus",
    "email_enabled",
    "mark_all_read",
    "mark_read",
    "notify",
    "notify_address",
    "render_email",
    "unread_count",
]
