"""The outbox of email messages, in-app notices and per-kind email preferences."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from app import audit
from app.accounts.models import User
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import gettext


class OutboxStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    dead = "dead"
    # The user turned this kind of email off: the row only records that the event happened.
    skipped = "skipped"


# The moves a person makes (the worker's claims and marks are conditional UPDATEs of its own,
# unaudited: delivery is not a decision): staff put a dead or failed message back in the queue.
TRANSITIONS: dict[OutboxStatus, frozenset[OutboxStatus]] = {
    OutboxStatus.dead: frozenset({OutboxStatus.queued}),
    OutboxStatus.failed: frozenset({OutboxStatus.queued}),
}
RETRYABLE = tuple(TRANSITIONS)


class OutboxMessage(Base):
    """One email, written in the business transaction and delivered by `portal worker`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5))
    # One optional attachment, sent as a MIME part (e.g. a meeting invitation's `.ics`).
    attachment_filename: Mapped[str | None] = mapped_column(String(120))
    attachment_content_type: Mapped[str | None] = mapped_column(String(100))
    attachment_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 10), default=OutboxStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @property
    def awaits_attempt(self) -> bool:
        """Queued or failed: `next_attempt_at` says when the worker tries again."""
        return self.status in (OutboxStatus.queued, OutboxStatus.failed)


class Notification(Base):
    """An in-app notice shown under the bell."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class EmailPreference(Base):
    """A kind of non-essential email the user has turned off."""

    __tablename__ = "email_opt_outs"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def transition(
    session: Session, message: OutboxMessage, to: OutboxStatus, *, actor: User, action: str
) -> None:
    """The one place a person changes a message's status: refuses an illegal move (409), then
    writes the audit row."""
    source = OutboxStatus(message.status)
    if to not in TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(gettext("Only a dead or failed message can be retried."))
    message.status = to
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action=f"notifications.{action}",
        entity_type="outbox",
        entity_id=message.id,
        data={"from": str(source), "to": str(to)},
    )
