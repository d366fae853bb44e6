"""The chair's questions to the applicant and the applicant's answer; the committee's discussion
of an application

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL"
    )


def _application(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["application_id"],
        ["membership_applications.id"],
        name=op.f(f"fk_{table}_application_id_membership_applications"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    requests = "membership_response_requests"
    op.create_table(
        requests,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _application(requests),
        _user(requests, "asked_by_id"),
        _user(requests, "answered_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{requests}")),
    )
    for column in ("application_id", "asked_by_id", "answered_by_id"):
        op.create_index(op.f(f"ix_{requests}_{column}"), requests, [column])
    posts = "membership_discussion_posts"
    op.create_table(
        posts,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _application(posts),
        _user(posts, "author_id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{posts}")),
    )
    op.create_index(op.f(f"ix_{posts}_author_id"), posts, ["author_id"])
    op.create_index(
        "ix_membership_discussion_posts_thread", posts, ["application_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("membership_discussion_posts")
    op.drop_table("membership_response_requests")
