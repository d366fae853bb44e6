"""Indexes for the orders of the main lists

Organisations by kind and name (partner and investor directories) and by name (the register),
applications by last activity and by applicant, introductions by creation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("organisations", "ix_organisations_kind_name", ["kind", "name"]),
    ("organisations", "ix_organisations_name", ["name", "id"]),
    ("membership_applications", "ix_membership_applications_updated", ["updated_at", "id"]),
    ("membership_applications", "ix_membership_applications_applicant_id", ["applicant_id"]),
    ("introductions", "ix_introductions_created", ["created_at", "id"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
