"""Membership applications: attachments, assignments, declarations, reviews and their history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membership_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("open_organisation_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("innovation", sa.Text(), nullable=False),
        sa.Column("market", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("funding_needs", sa.Text(), nullable=False),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decision_codes", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("appeal_statement", sa.Text(), nullable=True),
        sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["users.id"],
            name=op.f("fk_membership_applications_applicant_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_membership_applications_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_membership_applications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_applications")),
        sa.UniqueConstraint(
            "open_organisation_id", name=op.f("uq_membership_applications_open_organisation_id")
        ),
    )
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_applications_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_membership_applications_status"), ["status"], unique=False
        )

    op.create_table(
        "membership_application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_membership_application_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["membership_applications.id"],
            name=op.f("fk_membership_application_events_application_id_membership_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_application_events")),
    )
    with op.batch_alter_table("membership_application_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_application_events_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "membership_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=True),
        sa.Column("conflict_kind", sa.String(length=20), nullable=True),
        sa.Column("conflict_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["membership_applications.id"],
            name=op.f("fk_membership_assignments_application_id_membership_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_membership_assignments_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_membership_assignments_reviewer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_assignments")),
        sa.UniqueConstraint(
            "application_id",
            "reviewer_id",
            "round",
            name=op.f("uq_membership_assignments_application_id_reviewer_id_round"),
        ),
    )
    with op.batch_alter_table("membership_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_assignments_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_assignments_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "membership_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["membership_applications.id"],
            name=op.f("fk_membership_attachments_application_id_membership_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_membership_attachments_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_membership_attachments_stored_name")),
    )
    with op.batch_alter_table("membership_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_attachments_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "membership_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["membership_assignments.id"],
            name=op.f("fk_membership_reviews_assignment_id_membership_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_reviews")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_membership_reviews_assignment_id")),
    )
    op.create_table(
        "membership_review_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["membership_reviews.id"],
            name=op.f("fk_membership_review_versions_review_id_membership_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_review_versions")),
    )
    with op.batch_alter_table("membership_review_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_review_versions_review_id"), ["review_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_review_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_review_versions_review_id"))

    op.drop_table("membership_review_versions")
    op.drop_table("membership_reviews")
    with op.batch_alter_table("membership_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_attachments_application_id"))

    op.drop_table("membership_attachments")
    with op.batch_alter_table("membership_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_assignments_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_membership_assignments_application_id"))

    op.drop_table("membership_assignments")
    with op.batch_alter_table("membership_application_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_application_events_application_id"))

    op.drop_table("membership_application_events")
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_applications_status"))
        batch_op.drop_index(batch_op.f("ix_membership_applications_organisation_id"))

    op.drop_table("membership_applications")
