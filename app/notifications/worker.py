"""`portal worker`: deliver due outbox messages and emit scheduled reminders.

Delivery
--------
A message is claimed (status `sending`, with the claim time and the worker's id, one attempt
counted) in one short transaction; it is then sent with no transaction open (so a slow SMTP
server never holds SQLite's write lock), and marked `sent`, `failed` (retried after an
exponential backoff) or `dead` (after `PORTAL_OUTBOX_MAX_ATTEMPTS`) in another short transaction
that only succeeds while the claim is still this worker's. On PostgreSQL the claim uses
`FOR UPDATE SKIP LOCKED`, so several workers never take the same message; on SQLite the claim
runs under `BEGIN IMMEDIATE`, which serialises claimants. A claim older than `CLAIM_TIMEOUT`
belongs to a worker that died between claiming and marking: the message is due again (and, since
the claim counted an attempt, a message that keeps killing workers ends up dead, not looping).
Each message carries its idempotency key as a header and a Message-ID derived from it, so a
receiving system can drop the rare duplicate that a worker killed after sending but before
marking produces.

Reminders
---------
A domain that sends scheduled mail (24 h before a training session or a meeting, an overdue
review assignment, a request about to expire) adds `app/<domain>/reminders.py` with plain
functions, and names them in `app.domains.REMINDERS`; `app.main.wire()` installs that list here
and the worker calls each function on every cycle before delivering::

    from datetime import datetime, timedelta
from pathlib import Path

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.i18n import N_
    from app.messaging import register_kind
    from app.notifications.service import notify

    SESSION_REMINDER = register_kind("training.session_reminder", N_("Session reminders"))

    def remind_sessions(session: Session, now: datetime) -> int:
        due = select(Enrolment).join(...).where(
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + timedelta(hours=24),
        )
        count = 0
        for enrolment in session.scalars(due):
            message = notify(
                session,
                recipient=enrolment.user,
                kind=SESSION_REMINDER,
                template="training/session_reminder",
                key=f"training.session_24h:{enrolment.id}",
                context={"session": enrolment.session},
                link=f"/sessions/{enrolment.session_id}",
            )
            count += message is not None
        return count

Rules for a reminder function: it receives the worker's session (committed after it returns,
rolled back if it raises; one failing reminder does not stop the others) and the current UTC
time; it only flushes; it selects what is due *now* with a window wide enough to survive a worker
that was down for a while; and it passes a `key` naming the event (e.g. the enrolment id, plus
the start time if a session can be moved), so running every few seconds still sends each
reminder exactly once. It returns how many it queued (reported by `portal worker --once`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app import audit
from app.config import get_settings
from app.db import is_postgresql, session_scope, utcnow
from app.metrics import DELIVERIES
from app.notifications.delivery import DeliveryError, send
from app.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("app.worker")

CLAIM_TIMEOUT = timedelta(minutes=5)
BATCH_SIZE = 20
MAX_BACKOFF = timedelta(hours=6)

Reminder = Callable[[Session, datetime], int]
_reminders: dict[str, Reminder] = {}


def install_reminders(reminders: Mapping[str, Reminder]) -> None:
    """The reminders every cycle runs, by name (the wiring hands them over)."""
    _reminders.clear()
    _reminders.update(reminders)


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
    """Take up to BATCH_SIZE due messages for `claimant` (one attempt is counted here)."""
    due = or_(
        (OutboxMessage.status.in_([OutboxStatus.queued, OutboxStatus.failed]))
        & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.sending)
        & (OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
    )
    statement = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(BATCH_SIZE)
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    max_attempts = get_settings().outbox_max_attempts
    claimed = []
    for message in session.scalars(statement).all():
        if message.status == OutboxStatus.sending and message.attempts >= max_attempts:
            message.status = OutboxStatus.dead
            message.claimed_by = None
            message.last_error = "worker stopped while sending (claim expired)"
            continue
        message.status = OutboxStatus.sending
        message.claimed_at = now
        message.claimed_by = claimant
        message.attempts += 1
        claimed.append(message.id)
    session.flush()
    return claimed


def _load_claimed(message_id: int, claimant: str) -> OutboxMessage | None:
    with session_scope(write=False) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.claimed_by != claimant:
            return None
        session.expunge(message)
        return message


def _mark(message_id: int, claimant: str, values: dict[str, object]) -> bool:
    """Record the outcome only while the claim is still ours (a stale claim may be re-taken)."""
    with session_scope() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.sending,
                OutboxMessage.claimed_by == claimant,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


def _deliver_one(message_id: int, claimant: str, report: WorkerReport) -> None:
    settings = get_settings()
    message = _load_claimed(message_id, claimant)
    if message is None:
        return
    try:
        send(message, settings)
    except DeliveryError as exc:
        error = str(exc)[:2000]
        if message.attempts >= settings.outbox_max_attempts:
            values: dict[str, object] = {
                "status": OutboxStatus.dead,
                "last_error": error,
                "claimed_by": None,
            }
            outcome = "dead"
        else:
            values = {
                "status": OutboxStatus.failed,
                "last_error": error,
                "claimed_by": None,
                "next_attempt_at": utcnow() + backoff(message.attempts),
            }
            outcome = "failed"
        if _mark(message_id, claimant, values):
            setattr(report, outcome, getattr(report, outcome) + 1)
        DELIVERIES.labels(outcome).inc()
        logger.warning("delivery of message %s failed (%s): %s", message_id, outcome, error)
        return
    marked = _mark(
        message_id,
        claimant,
        {"status": OutboxStatus.sent, "sent_at": utcnow(), "last_error": None, "claimed_by": None},
    )
    DELIVERIES.labels("sent").inc()
    if marked:
        report.sent += 1
        logger.info("message %s delivered", message_id)
    else:
        logger.warning("message %s was sent after its claim expired", message_id)


def deliver_due(
    report: WorkerReport | None = None, stop: threading.Event | None = None
) -> WorkerReport:
    """Deliver every message that is due now, or until `stop` is set (the message at hand is
    finished; the rest of the batch is claimed again once its claim expires)."""
    report = report if report is not None else WorkerReport()
    claimant = worker_id()
    while True:
        with session_scope() as session:
            claimed = claim_batch(session, now=utcnow(), claimant=claimant)
        for message_id in claimed:
            if stop is not None and stop.is_set():
                return report
            _deliver_one(message_id, claimant, report)
        if len(claimed) < BATCH_SIZE:
            return report


def emit_reminders(report: WorkerReport) -> None:
    for name, reminder in sorted(_reminders.items()):
        try:
            with session_scope() as session:
                report.reminders[name] = reminder(session, utcnow())
        except Exception:
            logger.exception("reminder %s failed", name)


def run_once(stop: threading.Event | None = None) -> WorkerReport:
    """One cycle: the installed reminders, then delivery. `portal worker` runs without the web
    app, so the command wires the models and reminders first (`app.main.wire()`)."""
    report = WorkerReport()
    emit_reminders(report)
    _heartbeat_file().touch()
    deliver_due(report, stop)
    audit.seal_pending()  # rows whose writer found another sealer at work
    return report


def _heartbeat_file() -> Path:
    return get_settings().var_dir / "worker-reminders.heartbeat"


def seconds_since_reminders() -> float | None:
    """How long ago a worker last ran the reminders (None: never, on this var folder)."""
    try:
        modified: float = _heartbeat_file().stat().st_mtime
        return max(0.0, time.time() - modified)
    except FileNotFoundError:
        return None


def run_forever(interval_seconds: float = 5.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    logger.info("worker %s started", worker_id())
    while not stop.is_set():
        try:
            report = run_once(stop)
            if report.sent or report.failed or report.dead:
                logger.info(report.summary())
        except Exception:
            logger.exception("worker cycle failed")
        stop.wait(interval_seconds)
    logger.info("worker %s stopped", worker_id())


def start_background_worker() -> threading.Event:
    """Deliver mail from inside `portal demo`, so a development setup needs one command."""
    stop = threading.Event()
    threading.Thread(target=run_forever, kwargs={"stop": stop}, daemon=True).start()
    return stop


__all__ = [
    "claim_batch",
    "deliver_due",
    "install_reminders",
    "run_forever",
    "run_once",
    "start_background_worker",
]
