"""Committee members keep their expertise (sectors and topics) and bid on applications open for
bids, for the optimal automatic assignment

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee_expertise",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_committee_expertise_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_committee_expertise")),
    )
    op.create_table(
        "membership_bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("interest", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["membership_applications.id"],
            name=op.f("fk_membership_bids_application_id_membership_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_membership_bids_reviewer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_bids")),
        sa.UniqueConstraint(
            "application_id",
            "reviewer_id",
            name=op.f("uq_membership_bids_application_id_reviewer_id"),
        ),
    )
    with op.batch_alter_table("membership_bids", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_bids_reviewer_id"), ["reviewer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_bids_reviewer_id"))
    op.drop_table("membership_bids")
    op.drop_table("committee_expertise")
