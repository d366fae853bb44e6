"""Training certificates can be revoked; SQLite refuses overlapping busy intervals as PostgreSQL does

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

On PostgreSQL the exclusion constraint `ex_meeting_busy_no_overlap` (revision 0005) refuses two
rows of `meeting_busy` for the same participant whose `[starts_at, ends_at)` ranges overlap,
whatever the meeting's status or whether the row holds a pending request's slot: only live rows
exist in that table. The SQLite triggers below enforce the same rule; like the range type, they
treat an empty interval as overlapping nothing and refuse a reversed one. Timestamps are compared
as stored, in the one fixed-width UTC format SQLAlchemy writes.

A later revision that rebuilds `meeting_busy` on SQLite (a batch "move and copy") drops these
triggers with the old table and must create them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OVERLAP = (
    "SELECT RAISE(ABORT, 'meeting_busy: reversed interval')"
    " WHERE NEW.starts_at > NEW.ends_at;"
    " SELECT RAISE(ABORT, 'ex_meeting_busy_no_overlap: the participant is busy then')"
    " WHERE NEW.starts_at < NEW.ends_at AND EXISTS ("
    "SELECT 1 FROM meeting_busy AS other"
    " WHERE other.participant = NEW.participant"
    " AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at"
    " AND other.starts_at < other.ends_at{exclude});"
)


def upgrade() -> None:
    with op.batch_alter_table("training_certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_training_certificates_revoked_by_id_users"),
            "users",
            ["revoked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER meeting_busy_no_overlap_insert BEFORE INSERT ON meeting_busy BEGIN "
            + _OVERLAP.format(exclude="")
            + " END"
        )
        op.execute(
            "CREATE TRIGGER meeting_busy_no_overlap_update BEFORE UPDATE ON meeting_busy BEGIN "
            + _OVERLAP.format(exclude=" AND other.id <> OLD.id")
            + " END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS meeting_busy_no_overlap_update")
        op.execute("DROP TRIGGER IF EXISTS meeting_busy_no_overlap_insert")

    with op.batch_alter_table("training_certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_training_certificates_revoked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("revoked_at")
