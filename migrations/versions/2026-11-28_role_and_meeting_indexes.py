"""Indexes: the holders of a role; an organisation's meetings with an investor

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_user_roles_role", "user_roles", ["role", "user_id"], unique=False)
    op.create_index(
        "ix_meetings_organisation_investor",
        "meetings",
        ["organisation_id", "investor_id"],
        unique=False,
    )
    op.drop_index("ix_meetings_organisation_id", table_name="meetings")


def downgrade() -> None:
    op.create_index("ix_meetings_organisation_id", "meetings", ["organisation_id"], unique=False)
    op.drop_index("ix_meetings_organisation_investor", table_name="meetings")
    op.drop_index("ix_user_roles_role", table_name="user_roles")
