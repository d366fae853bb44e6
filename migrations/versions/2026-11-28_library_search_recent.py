"""Library: on PostgreSQL, a GIN index over (search_vector, id + 0) for the newest matches

A search looks for its newest matches among the newest items first; with btree_gin the index
answers both conditions, so a common word no longer visits the row of every match.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(
            "CREATE INDEX ix_library_items_search_recent ON library_items "
            "USING gin (search_vector, (id + 0))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_library_items_search_recent")
