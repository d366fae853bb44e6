"""Meetings: a pending request may propose a slot, held in meeting_busy until it is decided.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("meeting_busy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.alter_column("meeting_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_busy_request_id_meeting_requests"),
            "meeting_requests",
            ["request_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_meeting_busy_request_id"), ["request_id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_meeting_busy_one_owner"),
            "(meeting_id IS NULL) <> (request_id IS NULL)",
        )


def downgrade() -> None:
    # Held slots have no meeting to belong to once the column is required again, and the
    # earlier code knows no "withdrawn" request: it reads as one left to expire.
    op.execute("DELETE FROM meeting_busy WHERE meeting_id IS NULL")
    op.execute("UPDATE meeting_requests SET status = 'expired' WHERE status = 'withdrawn'")
    with op.batch_alter_table("meeting_busy", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_meeting_busy_one_owner"), type_="check")
        batch_op.drop_index(batch_op.f("ix_meeting_busy_request_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_meeting_busy_request_id_meeting_requests"), type_="foreignkey"
        )
        batch_op.alter_column("meeting_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("request_id")

    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_column("ends_at")
        batch_op.drop_column("starts_at")
