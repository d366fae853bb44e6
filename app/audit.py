"""Append-only audit log; each row is chained to the previous one by a SHA-256 hash.

Appends are serialised (an advisory lock on PostgreSQL, the write lock on SQLite) so that the
chain has exactly one successor per row. `verify_chain` recomputes the hashes and names the first
row whose content or link no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, utcnow

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x61756469  # "audi"


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
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        {
            "created_at": entry.created_at.isoformat(),
            "actor_id": entry.actor_id,
            "action": entry.action,
            "entity_type": entry.entity_type,
            "entity_id": entry.entity_id,
            "data": entry.data,
            "ip_address": entry.ip_address,
            "prev_hash": entry.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
    """Append one row to the chain inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    prev_hash = (
        session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
        or GENESIS_HASH
    )
    entry = AuditEntry(
        created_at=utcnow().replace(microsecond=0),
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        data=json.loads(json.dumps(data or {}, default=str)),
        ip_address=ip_address,
        prev_hash=prev_hash,
    )
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(session: Session, *, batch_size: int = 1000) -> ChainReport:
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(checked, None, None)
        for entry in rows:
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, entry.id, "link to the previous row is broken")
            if _digest(entry) != entry.hash:
                return ChainReport(checked, entry.id, "content does not match its hash")
            expected_prev = entry.hash
            checked += 1
            last_id = entry.id
        session.expunge_all()
