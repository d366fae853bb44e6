"""Membership documents know their kind (business plan, financial statements, ...), so that the
required ones can be asked for before an application is submitted

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06

Documents attached before carry the kind "other".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("membership_attachments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=30), nullable=False, server_default="other")
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_attachments", schema=None) as batch_op:
        batch_op.drop_column("kind")
