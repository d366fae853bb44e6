"""Library: keep the texts out of line on PostgreSQL (toast_tuple_target = 128)

A search that matches thousands of items reads each match's row: with the texts and the search
vector inline, 16,692 matches of 100k items spread over 12k pages (40 ms); out of line, over
2.5k pages. Rows written before this revision move out of line when next updated, or at once
with `VACUUM FULL library_items`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE library_items SET (toast_tuple_target = 128)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE library_items RESET (toast_tuple_target)")
