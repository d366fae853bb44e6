"""Membership: parties named in an application, time of the last manual status change.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membership_application_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("inn", sa.String(length=12), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["membership_applications.id"],
            name=op.f("fk_membership_application_parties_application_id_membership_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_membership_application_parties_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_application_parties")),
        sa.UniqueConstraint(
            "application_id",
            "relation",
            "inn",
            name=op.f("uq_membership_application_parties_application_id_relation_inn"),
        ),
    )
    with op.batch_alter_table("membership_application_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_application_parties_application_id"),
            ["application_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_membership_application_parties_inn"), ["inn"], unique=False
        )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("status_changed_at")
    with op.batch_alter_table("membership_application_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_application_parties_inn"))
        batch_op.drop_index(batch_op.f("ix_membership_application_parties_application_id"))
    op.drop_table("membership_application_parties")
