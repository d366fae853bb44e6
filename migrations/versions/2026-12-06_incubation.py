"""Business creation: projects without an INN yet, the incubation track and the incubatee tier,
mentors paired with organisations and their logged sessions

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("inn", existing_type=sa.String(length=12), nullable=True)
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "track", sa.String(length=12), server_default="membership", nullable=False
            )
        )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tier", sa.String(length=10), server_default="member", nullable=False)
        )
    op.create_table(
        "mentorships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_mentorships_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_mentorships_mentor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_mentorships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorships")),
        sa.UniqueConstraint(
            "organisation_id", "mentor_id", name=op.f("uq_mentorships_organisation_id_mentor_id")
        ),
    )
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentorships_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mentorships_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "mentoring_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_mentoring_sessions_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["mentorship_id"],
            ["mentorships.id"],
            name=op.f("fk_mentoring_sessions_mentorship_id_mentorships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_sessions")),
    )
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mentoring_sessions_mentorship", ["mentorship_id", "held_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentoring_sessions_mentorship")
    op.drop_table("mentoring_sessions")
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentorships_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_mentorships_mentor_id"))
    op.drop_table("mentorships")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("tier")
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.drop_column("track")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("inn", existing_type=sa.String(length=12), nullable=False)
