"""Meetings: an optional pitch deck on a meeting request.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_requests") as batch_op:
        batch_op.add_column(sa.Column("deck_filename", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("deck_stored_name", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("deck_size", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_requests") as batch_op:
        batch_op.drop_column("deck_size")
        batch_op.drop_column("deck_stored_name")
        batch_op.drop_column("deck_filename")
