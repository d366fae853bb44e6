"""Audit log: a keyed chain sealed after commit, client addresses outside the seals

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

Rows get a place in the chain (`seq`) from the sealer instead of from a lock every writer takes;
the seal is an HMAC keyed by the portal's secret key and no longer covers the client address.
The existing rows are sealed anew here, in their order, so the first requests after the upgrade
find a chain without a backlog. Downgrading restores the plain SHA-256 chain.
"""

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("data", sa.JSON),
    sa.column("ip_address", sa.String),
    sa.column("seq", sa.BigInteger),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _utc(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _canonical(fields: dict[str, Any]) -> bytes:
    text = json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return text.encode("utf-8")


def _rechain(sign: Any, with_seq: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings().all()
    prev = GENESIS
    for number, row in enumerate(rows, start=1):
        fields = {
            "created_at": _utc(row["created_at"]).isoformat(),
            "actor_id": row["actor_id"],
            "action": row["action"],
            "entity_type": row["entity_type"],
            "entity_id": row["entity_id"],
            "data": row["data"],
            "prev_hash": prev,
        }
        values: dict[str, Any] = {"prev_hash": prev}
        if with_seq:
            fields["seq"] = values["seq"] = number
        else:
            fields["ip_address"] = row["ip_address"]
        values["hash"] = prev = sign(_canonical(fields))
        connection.execute(audit_log.update().where(audit_log.c.id == row["id"]).values(values))


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])
    from app.config import get_settings

    secret = get_settings().secret_key.encode("utf-8")
    key = hmac.new(secret, b"audit-chain", hashlib.sha256).digest()
    _rechain(lambda payload: hmac.new(key, payload, hashlib.sha256).hexdigest(), with_seq=True)


def downgrade() -> None:
    _rechain(lambda payload: hashlib.sha256(payload).hexdigest(), with_seq=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("seq")
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
