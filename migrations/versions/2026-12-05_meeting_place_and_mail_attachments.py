"""A meeting's place and video link; an outbox message may carry one attachment

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-12

The meeting's calendar SEQUENCE already has its column (`meetings.sequence`, revision 0005).
The attachment (an invitation's `.ics`) is stored as text beside the bodies, so that erasure
finds and scrubs a name in it as it does in the bodies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("video_url", sa.String(length=500), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_filename", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("attachment_content_type", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(sa.Column("attachment_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("attachment_text")
        batch_op.drop_column("attachment_content_type")
        batch_op.drop_column("attachment_filename")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("video_url")
        batch_op.drop_column("location")
