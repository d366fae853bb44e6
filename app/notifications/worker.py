"""`portal worker`: deliver due outbox messages and emit scheduled reminders.

A message is claimed (status `sending`, with the claim time) in one short transaction, sent, then
marked in another. On PostgreSQL the claim uses `FOR UPDATE SKIP LOCKED`, so several workers never
take the same message. A claim older than `CLAIM_TIMEOUT` belongs to a worker that died: the message
is due again. Each message carries its idempotency key as a header, so a receiving system can
drop the rare duplicate that a worker killed between sending and marking produces.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import session_scope, utcnow
from app.notifications.delivery import DeliveryError, send
from app.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("app.worker")

CLAIM_TIMEOUT = timedelta(minutes=5)
BATCH_SIZE = 20
MAX_BACKOFF = timedelta(hours=6)

Reminder = Callable[[Session, datetime], int]
_reminders: dict[str, Reminder] = {}


def register_reminder(name: str) -> Callable[[Reminder], Reminder]:
    """Domains register functions that queue their due reminders (each exactly once)."""

    def decorator(function: Reminder) -> Reminder:
        _reminders[name] = function
        return function

    return decorator


@dataclass
class WorkerReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    reminders: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        reminders = sum(self.reminders.values())
        return (
            f"sent {self.sent}, failed {self.failed}, dead {self.dead}, "
            f"reminders queued {reminders}"
        )


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def backoff(attempts: int) -> timedelta:
    base = get_settings().outbox_backoff_base_seconds
    return min(timedelta(seconds=base * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def claim_batch(session: Session, *, now: datetime, claimant: str) -> list[int]:
    due = or_(
        (OutboxMessage.status.in_([OutboxStatus.queued, OutboxStatus.failed]))
        & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.sending)
        & (OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
    )
    statement = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(BATCH_SIZE)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    messages = session.scalars(statement).all()
    for message in messages:
        message.status = OutboxStatus.sending
        message.claimed_at = now
        message.claimed_by = claimant
    session.flush()
    return [m.id for m in messages]


def _deliver_one(message_id: int, claimant: str, report: WorkerReport) -> None:
    settings = get_settings()
    with session_scope() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.claimed_by != claimant:
            return
        try:
            send(message, settings)
        except DeliveryError as exc:
            message.attempts += 1
            message.last_error = str(exc)[:2000]
            message.claimed_by = None
            if message.attempts >= settings.outbox_max_attempts:
                message.status = OutboxStatus.dead
                report.dead += 1
            else:
                message.status = OutboxStatus.failed
                message.next_attempt_at = utcnow() + backoff(message.attempts)
                report.failed += 1
            logger.warning("delivery of message %s failed: %s", message.id, exc)
            return
        message.attempts += 1
        message.status = OutboxStatus.sent
        message.sent_at = utcnow()
        message.last_error = None
        report.sent += 1


def deliver_due(report: WorkerReport) -> None:
    claimant = worker_id()
    while True:
        with session_scope() as session:
            claimed = claim_batch(session, now=utcnow(), claimant=claimant)
        for message_id in claimed:
            _deliver_one(message_id, claimant, report)
        if len(claimed) < BATCH_SIZE:
            return


def emit_reminders(report: WorkerReport) -> None:
    for name, reminder in sorted(_reminders.items()):
        try:
            with session_scope() as session:
                report.reminders[name] = reminder(session, utcnow())
        except Exception:
            logger.exception("reminder %s failed", name)


def run_once() -> WorkerReport:
    from app.domains import domain_modules

    domain_modules("reminders")
    report = WorkerReport()
    emit_reminders(report)
    deliver_due(report)
    return report


def run_forever(interval_seconds: float = 5.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    logger.info("worker %s started", worker_id())
    while not stop.is_set():
        try:
            report = run_once()
            if report.sent or report.failed or report.dead:
                logger.info(report.summary())
        except Exception:
            logger.exception("worker cycle failed")
        stop.wait(interval_seconds)


def start_background_worker() -> threading.Event:
    """Deliver mail from inside `portal demo`, so a development setup needs one command."""
    stop = threading.Event()
    threading.Thread(target=run_forever, kwargs={"stop": stop}, daemon=True).start()
    return stop


__all__ = ["register_reminder", "run_forever", "run_once", "start_background_worker"]
