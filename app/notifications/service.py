"""`notify`: the one way the portal tells a user something, by email and in the app.

The message is a row in the outbox written in the caller's transaction: if the transaction rolls
back, nothing is sent. The idempotency key makes one business event one email even when the
service is called twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import get_settings
from app.db import utcnow
from app.i18n import use_locale
from app.notifications.kinds import MessageKind
from app.notifications.models import EmailPreference, Notification, OutboxMessage, OutboxStatus
from app.templating import absolute_url, render


def email_enabled(session: Session, user: User, kind: MessageKind) -> bool:
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
    """Subject, text and HTML of `templates/emails/<template>.*` in the recipient's language."""
    locale = recipient.locale if recipient else (locale or get_settings().default_locale)
    timezone = recipient.timezone if recipient else None
    with use_locale(locale, timezone):
        full_context = {"recipient": recipient, **context}
        subject = render(f"emails/{template}.subject.txt", **full_context).strip()
        body_text = render(f"emails/{template}.txt", **full_context)
        body_html = render(f"emails/{template}.html", subject=subject, **full_context)
    return subject, body_text, body_html


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
) -> OutboxMessage | None:
    """Queue an email (unless the user turned this kind off) and an in-app notice, once per key."""
    if recipient.erased_at is not None or not recipient.is_active:
        return None
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    context = {"link": absolute_url(link) if link else None, **(context or {})}
    subject, body_text, body_html = render_email(template, recipient, context)
    if in_app:
        session.add(Notification(user_id=recipient.id, kind=kind.slug, title=subject, link=link))
    if not email_enabled(session, recipient, kind):
        session.flush()
        return None
    return _enqueue(
        session,
        OutboxMessage(
            idempotency_key=key,
            kind=kind.slug,
            recipient_id=recipient.id,
            to_email=recipient.email,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            locale=recipient.locale,
        ),
    )


def notify_address(
    session: Session,
    *,
    to_email: str,
    kind: MessageKind,
    template: str,
    key: str,
    context: dict[str, Any] | None = None,
    link: str | None = None,
) -> OutboxMessage | None:
    """Email someone who has no account yet, in the portal's default language."""
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    context = {"link": absolute_url(link) if link else None, **(context or {})}
    subject, body_text, body_html = render_email(template, None, context)
    return _enqueue(
        session,
        OutboxMessage(
            idempotency_key=key,
            kind=kind.slug,
            to_email=to_email,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            locale=get_settings().default_locale,
        ),
    )


def _enqueue(session: Session, message: OutboxMessage) -> OutboxMessage | None:
    """Insert under a savepoint: a concurrent insert of the same key wins; this one is a no-op."""
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


__all__ = ["OutboxStatus", "mark_all_read", "notify", "render_email", "unread_count"]
