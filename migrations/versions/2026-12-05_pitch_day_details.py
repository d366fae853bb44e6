"""Pitch days: name, venue, time zone, registration deadline, the scheduler's last report; the
order of each organisation's wishes

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

Existing days get an empty name and venue and the default time zone (Europe/Moscow), in which
their slot times were meant; their registration stays open until the first slot or publication.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pitch_days", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("venue", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="Europe/Moscow"
            )
        )
        batch_op.add_column(
            sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("schedule_report", sa.JSON(), nullable=True))
    with op.batch_alter_table("pitch_wishes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pitch_wishes", schema=None) as batch_op:
        batch_op.drop_column("rank")
    with op.batch_alter_table("pitch_days", schema=None) as batch_op:
        batch_op.drop_column("schedule_report")
        batch_op.drop_column("registration_closes_at")
        batch_op.drop_column("timezone")
        batch_op.drop_column("venue")
        batch_op.drop_column("name")
