"""Library: a tag's items from one index (tag, item_id)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("library_tags", schema=None) as batch_op:
        batch_op.create_index("ix_library_tags_tag_item", ["tag", "item_id"], unique=False)
        batch_op.drop_index("ix_library_tags_tag")


def downgrade() -> None:
    with op.batch_alter_table("library_tags", schema=None) as batch_op:
        batch_op.create_index("ix_library_tags_tag", ["tag"], unique=False)
        batch_op.drop_index("ix_library_tags_tag_item")
