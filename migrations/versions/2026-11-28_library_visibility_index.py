"""Library: index for visitors' lists by visibility and date

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("library_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_library_items_visibility_created_at", ["visibility", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("library_items", schema=None) as batch_op:
        batch_op.drop_index("ix_library_items_visibility_created_at")
