"""Deals: private investment rounds members report and staff confirm

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06

The observer role needs no change: roles are stored as plain strings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("amount_rub", sa.BigInteger(), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("investor_organisation_id", sa.Integer(), nullable=True),
        sa.Column("investor_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["investor_organisation_id"], ["organisations.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["reported_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deals_organisation_id", "deals", ["organisation_id"])
    op.create_index("ix_deals_investor_organisation_id", "deals", ["investor_organisation_id"])
    op.create_index("ix_deals_status_closed", "deals", ["status", "closed_on"])


def downgrade() -> None:
    op.drop_index("ix_deals_status_closed", table_name="deals")
    op.drop_index("ix_deals_investor_organisation_id", table_name="deals")
    op.drop_index("ix_deals_organisation_id", table_name="deals")
    op.drop_table("deals")
