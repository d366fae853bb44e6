"""A real SMTP server in the test process, and shortcuts into the outbox."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.config import get_settings
from app.db import Database
from app.notifications.models import OutboxMessage


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received, as parsed messages."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(
            envelope.original_content or envelope.content, policy=default_policy
        )
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def idempotency_keys(self) -> list[str]:
        with self.lock:
            return [str(m["X-Portal-Idempotency-Key"]) for m in self.messages]

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if str(m["To"]) == address]


class SmtpServer:
    """An aiosmtpd server on a fixed free port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_settings(port: int) -> Iterator[None]:
    """Point the portal's settings at the test server; restore them afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
        patch.setenv("PORTAL_SMTP_PORT", str(port))
        patch.setenv("PORTAL_SMTP_TIMEOUT_SECONDS", "3")
        patch.setenv("PORTAL_OUTBOX_MAX_ATTEMPTS", "3")
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


def outbox(database: Database) -> list[OutboxMessage]:
    with database.session_scope(write=False) as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            session.expunge(row)
        return rows


def body_text(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


def body_html(message: Message) -> str:
    part = message.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


def queue_mail(
    database: Database, user_id: int, key: str, *, kind: Any = None, in_app: bool = True
) -> int | None:
    """Queue a password-reset style message for a user, as a domain service would."""
    from app.accounts import kinds
    from app.accounts.models import User
    from app.notifications.service import notify

    with database.session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        message = notify(
            session,
            recipient=user,
            kind=kind or kinds.PASSWORD_RESET,
            template="accounts/password_reset",
            key=key,
            context={"valid_hours": 2},
            link=f"/password-reset/{key}",
            in_app=in_app,
        )
        return message.id if message is not None else None


def make_due_now(database: Database) -> None:
    """Move every scheduled retry and every claim into the past, as time passing would."""
    from datetime import timedelta

    from sqlalchemy import update

    from app.db import utcnow

    past = utcnow() - timedelta(hours=1)
    with database.session_scope() as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=past))
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_at.is_not(None))
            .values(claimed_at=past)
        )
