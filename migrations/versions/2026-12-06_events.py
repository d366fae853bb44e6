"""Events beyond training (networking days, conferences, demo days, workshops) and their
registrations with seats and a waitlist

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("members_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 1", name=op.f("ck_events_capacity_positive")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_events_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("seat_number", sa.Integer(), nullable=True),
        sa.Column("queue_number", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("attendance_marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'registered' AND seat_number IS NOT NULL AND queue_number IS NULL)"
            " OR (status = 'waitlisted' AND seat_number IS NULL AND queue_number IS NOT NULL)"
            " OR (status = 'cancelled' AND seat_number IS NULL AND queue_number IS NULL)",
            name=op.f("ck_event_registrations_status_matches_place"),
        ),
        sa.CheckConstraint(
            "seat_number IS NULL OR seat_number >= 1",
            name=op.f("ck_event_registrations_seat_number_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_registrations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_registrations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_registrations")),
        sa.UniqueConstraint(
            "event_id", "queue_number", name=op.f("uq_event_registrations_event_id_queue_number")
        ),
        sa.UniqueConstraint(
            "event_id", "seat_number", name=op.f("uq_event_registrations_event_id_seat_number")
        ),
        sa.UniqueConstraint(
            "event_id", "user_id", name=op.f("uq_event_registrations_event_id_user_id")
        ),
    )
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_registrations_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_registrations_user_id"))
    op.drop_table("event_registrations")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))
    op.drop_table("events")
