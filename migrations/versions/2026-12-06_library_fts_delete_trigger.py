"""SQLite: put back the trigger that takes a deleted library item out of the full-text index
(rebuilding `library_items` to add its translations column dropped it), and remove the index
rows of items deleted since

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS library_items_fts_delete AFTER DELETE ON library_items "
        "BEGIN DELETE FROM library_fts WHERE rowid = old.id; END"
    )
    op.execute("DELETE FROM library_fts WHERE rowid NOT IN (SELECT id FROM library_items)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS library_items_fts_delete")
