"""Pitch days: the agenda each participant was last told about

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pitch_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_agenda", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pitch_participants", schema=None) as batch_op:
        batch_op.drop_column("announced_agenda")
