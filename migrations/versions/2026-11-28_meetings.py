"""Investor meetings: profiles, availability, requests, meetings, busy intervals, pitch days.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('investor_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['investor_id'], ['users.id'], name=op.f('fk_investor_availability_investor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investor_availability'))
    )
    with op.batch_alter_table('investor_availability', schema=None) as batch_op:
        batch_op.create_index('ix_investor_availability_investor_starts', ['investor_id', 'starts_at'], unique=False)

    op.create_table('pitch_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('slot_starts', sa.JSON(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('tables', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pitch_days_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pitch_days'))
    )
    op.create_table('investor_profiles',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('ticket_min_rub', sa.BigInteger(), nullable=True),
    sa.Column('ticket_max_rub', sa.BigInteger(), nullable=True),
    sa.Column('thesis', sa.Text(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_investor_profiles_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_investor_profiles'))
    )
    op.create_table('meeting_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['investor_id'], ['users.id'], name=op.f('fk_meeting_requests_investor_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_meeting_requests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_meeting_requests_requester_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_requests'))
    )
    with op.batch_alter_table('meeting_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_requests_investor_id'), ['investor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_meeting_requests_status_expires', ['status', 'expires_at'], unique=False)

    op.create_table('pitch_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pitch_day_id', sa.Integer(), nullable=False),
    sa.Column('first_organisation_id', sa.Integer(), nullable=False),
    sa.Column('second_organisation_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('table_number', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['first_organisation_id'], ['organisations.id'], name=op.f('fk_pitch_meetings_first_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pitch_day_id'], ['pitch_days.id'], name=op.f('fk_pitch_meetings_pitch_day_id_pitch_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_organisation_id'], ['organisations.id'], name=op.f('fk_pitch_meetings_second_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pitch_meetings')),
    sa.UniqueConstraint('pitch_day_id', 'first_organisation_id', 'second_organisation_id', name=op.f('uq_pitch_meetings_pitch_day_id_first_organisation_id_second_organisation_id')),
    sa.UniqueConstraint('pitch_day_id', 'slot', 'table_number', name=op.f('uq_pitch_meetings_pitch_day_id_slot_table_number'))
    )
    op.create_table('pitch_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pitch_day_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pitch_participants_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pitch_day_id'], ['pitch_days.id'], name=op.f('fk_pitch_participants_pitch_day_id_pitch_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_pitch_participants_registered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pitch_participants')),
    sa.UniqueConstraint('pitch_day_id', 'organisation_id', name=op.f('uq_pitch_participants_pitch_day_id_organisation_id'))
    )
    op.create_table('pitch_wishes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pitch_day_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('with_organisation_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('no_thanks', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pitch_wishes_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pitch_day_id'], ['pitch_days.id'], name=op.f('fk_pitch_wishes_pitch_day_id_pitch_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['with_organisation_id'], ['organisations.id'], name=op.f('fk_pitch_wishes_with_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pitch_wishes')),
    sa.UniqueConstraint('pitch_day_id', 'organisation_id', 'with_organisation_id', name=op.f('uq_pitch_wishes_pitch_day_id_organisation_id_with_organisation_id'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('no_show', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['investor_id'], ['users.id'], name=op.f('fk_meetings_investor_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_meetings_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['meeting_requests.id'], name=op.f('fk_meetings_request_id_meeting_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('request_id', name=op.f('uq_meetings_request_id')),
    sa.UniqueConstraint('uid', name=op.f('uq_meetings_uid'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_investor_id'), ['investor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('meeting_busy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('participant', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_busy_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_busy'))
    )
    with op.batch_alter_table('meeting_busy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_busy_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_meeting_busy_participant_starts', ['participant', 'starts_at'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # No participant may hold two overlapping live meetings, whatever the interleaving.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE meeting_busy ADD CONSTRAINT ex_meeting_busy_no_overlap "
            "EXCLUDE USING gist (participant WITH =, tstzrange(starts_at, ends_at) WITH &&)"
        )

    op.create_table('meeting_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('amount_rub', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_meeting_feedback_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_feedback_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_feedback')),
    sa.UniqueConstraint('meeting_id', 'author_id', name=op.f('uq_meeting_feedback_meeting_id_author_id'))
    )


def downgrade() -> None:
    op.drop_table('meeting_feedback')
    with op.batch_alter_table('meeting_busy', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_busy_participant_starts')
        batch_op.drop_index(batch_op.f('ix_meeting_busy_meeting_id'))

    op.drop_table('meeting_busy')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_investor_id'))

    op.drop_table('meetings')
    op.drop_table('pitch_wishes')
    op.drop_table('pitch_participants')
    op.drop_table('pitch_meetings')
    with op.batch_alter_table('meeting_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_requests_status_expires')
        batch_op.drop_index(batch_op.f('ix_meeting_requests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_requests_investor_id'))

    op.drop_table('meeting_requests')
    op.drop_table('investor_profiles')
    op.drop_table('pitch_days')
    with op.batch_alter_table('investor_availability', schema=None) as batch_op:
        batch_op.drop_index('ix_investor_availability_investor_starts')

    op.drop_table('investor_availability')
