"""Append-only audit log, sealed into a keyed hash chain.

Writers only insert: a row is born unsealed, inside the writer's own transaction, and no write
waits for another. Sealing gives the unsealed rows their place in the chain (`seq`), links each to
its predecessor and signs it with an HMAC keyed by the portal's secret key, over every field but
the client address. On PostgreSQL a short transaction of its own seals the committed rows after
the commit; only one sealer works at a time (a try-lock), and one that finds another at work
leaves its rows to it. On SQLite the writer already holds the database's only write lock, so it
seals its rows itself just before it commits, sparing the second transaction.

Without the key nobody can rewrite a row and recompute the chain. Removing the newest rows leaves
a shorter, valid chain, so operators keep a copy of the head (`portal audit head`) elsewhere and
check against it (`portal audit verify --expect SEQ:HASH`).

The client address is personal data: it is kept beside the chain, not in it, so that erasure can
clear it without breaking the seals.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, event, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.config import get_settings
from app.db import Base, call_after_commit, is_postgresql, session_scope, utcnow

GENESIS_HASH = "0" * 64
SEAL_BATCH = 500
_SEAL_LOCK_KEY = 0x61756469  # "audi"
_SEAL_AT_COMMIT = "audit_seal_at_commit"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # Set by the sealer: the place in the chain, the previous row's hash and this row's.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)


def _key() -> bytes:
    secret = get_settings().secret_key.encode("utf-8")
    return hmac.new(secret, b"audit-chain", hashlib.sha256).digest()


def _seal_of(entry: AuditEntry, key: bytes) -> str:
    payload = json.dumps(
        {
            "seq": entry.seq,
            "created_at": entry.created_at.isoformat(),
            "actor_id": entry.actor_id,
            "action": entry.action,
            "entity_type": entry.entity_type,
            "entity_id": entry.entity_id,
            "data": entry.data,
            "prev_hash": entry.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | str | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Add one row inside the caller's transaction; it is sealed after the commit."""
    entry = AuditEntry(
        created_at=utcnow().replace(microsecond=0),
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        data=json.loads(json.dumps(data or {}, default=str)),
        ip_address=ip_address,
    )
    session.add(entry)
    session.flush()
    if not is_postgresql(session):
        session.info[_SEAL_AT_COMMIT] = True
    else:
        call_after_commit(session, seal_pending)
    return entry


@event.listens_for(Session, "before_commit")
def _seal_at_commit(session: Session) -> None:
    if session.info.pop(_SEAL_AT_COMMIT, False):
        seal(session)


def _take_sealing_lock(session: Session) -> bool:
    """Whether this transaction may seal. SQLite's write transaction already excludes every
    other writer; on PostgreSQL a sealer at work means the rows will be sealed by it."""
    if not is_postgresql(session):
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(_SEAL_LOCK_KEY))))


def seal(session: Session) -> int:
    """Chain the committed unsealed rows, oldest first; returns how many were sealed."""
    if not _take_sealing_lock(session):
        return 0
    newest = head(session)
    seq, prev_hash = newest.seq, newest.hash
    key = _key()
    sealed = 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq.is_(None))
            .order_by(AuditEntry.id)
            .limit(SEAL_BATCH)
        ).all()
        for entry in rows:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev_hash
            entry.hash = prev_hash = _seal_of(entry, key)
        session.flush()
        sealed += len(rows)
        if len(rows) < SEAL_BATCH:
            return sealed


def seal_pending() -> None:
    """Seal the committed unsealed rows in a short transaction of its own: after a commit on
    PostgreSQL, and on each cycle of the worker for rows whose writer found another sealer."""
    with session_scope() as session:
        seal(session)


def forget_addresses(session: Session, *, actor_id: int) -> None:
    """Erasure: the person's client addresses leave the log; the seals do not cover them."""
    session.execute(
        update(AuditEntry).where(AuditEntry.actor_id == actor_id).values(ip_address=None)
    )


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        seq, _, digest = text.strip().partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise ValueError("a head looks like SEQ:HASH (as `portal audit head` prints it)")
        return cls(int(seq), digest.lower())


def head(session: Session) -> Head:
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.seq.is_not(None))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return Head(0, GENESIS_HASH)
    return Head(row[0], row[1])


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str | None
    pending: int = 0

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and self.reason is None


def verify_chain(
    session: Session, *, expect: Head | None = None, batch_size: int = 1000
) -> ChainReport:
    """Walk the chain in order and recompute every seal; with `expect`, also check that the
    chain still holds that head (rows at its end were not removed)."""
    key = _key()
    expected_prev = GENESIS_HASH
    checked = 0
    last_seq = 0
    found_expected = expect is None or expect.seq == 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq is None or entry.seq != last_seq + 1:
                return ChainReport(checked, entry.id, "a row before this one is missing")
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, entry.id, "link to the previous row is broken")
            if _seal_of(entry, key) != entry.hash:
                return ChainReport(checked, entry.id, "content does not match its seal")
            if expect is not None and entry.seq == expect.seq:
                if entry.hash != expect.hash:
                    return ChainReport(checked, entry.id, "the chain differs from the head kept")
                found_expected = True
            expected_prev = entry.hash
            checked += 1
            last_seq = entry.seq
        session.expunge_all()
    pending = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.seq.is_(None)))
    if not found_expected:
        assert expect is not None
        return ChainReport(
            checked,
            None,
            f"the chain ends at {last_seq}, before the head kept ({expect.seq}): rows were removed",
            pending or 0,
        )
    return ChainReport(checked, None, None, pending or 0)
