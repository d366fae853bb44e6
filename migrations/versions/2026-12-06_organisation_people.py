"""Organisations list their founders, directors, shareholders and board members by personal
INN; users may give their personal INN: conflicts of interest derived from people

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("inn", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("share_percent", sa.Numeric(5, 2), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_people_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_people")),
    )
    op.create_index(
        op.f("ix_organisation_people_organisation_id"),
        "organisation_people",
        ["organisation_id"],
    )
    op.create_index(op.f("ix_organisation_people_inn"), "organisation_people", ["inn"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("personal_inn", sa.String(length=12), nullable=True))
        batch.create_index(batch.f("ix_users_personal_inn"), ["personal_inn"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index(batch.f("ix_users_personal_inn"))
        batch.drop_column("personal_inn")
    op.drop_index(op.f("ix_organisation_people_inn"), table_name="organisation_people")
    op.drop_index(op.f("ix_organisation_people_organisation_id"), table_name="organisation_people")
    op.drop_table("organisation_people")
