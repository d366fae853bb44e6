"""Bilingual content: the other-language version of courses, sessions, library items, pitch
days and investor and partner profiles

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06

Each table gets `translations` (JSON, `{locale: {field: text}}`), empty for existing rows: they
are shown in their original language, marked as such to readers of the other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "training_courses",
    "training_sessions",
    "library_items",
    "pitch_days",
    "investor_profiles",
    "partner_profiles",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'")
                )
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
