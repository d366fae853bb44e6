"""Introductions: partner profiles, brokered introductions, outcomes and success stories.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0007'
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('introductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_organisation_id', sa.Integer(), nullable=False),
    sa.Column('partner_organisation_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('offer', sa.Text(), nullable=False),
    sa.Column('ask', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('open_key', sa.String(length=40), nullable=True),
    sa.Column('screen_out_reason', sa.Text(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('decline_reason_shared', sa.Boolean(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_3m_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_6m_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_introductions_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_organisation_id'], ['organisations.id'], name=op.f('fk_introductions_partner_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_introductions_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_organisation_id'], ['organisations.id'], name=op.f('fk_introductions_requester_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introductions')),
    sa.UniqueConstraint('open_key', name=op.f('uq_introductions_open_key'))
    )
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introductions_partner_organisation_id'), ['partner_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introductions_requester_organisation_id'), ['requester_organisation_id'], unique=False)
        batch_op.create_index('ix_introductions_status_changed', ['status', 'status_changed_at'], unique=False)

    op.create_table('partner_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('looking_for', sa.JSON(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partner_profiles_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_partner_profiles_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_profiles')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_partner_profiles_organisation_id'))
    )
    op.create_table('introduction_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('introduction_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_introduction_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['introduction_id'], ['introductions.id'], name=op.f('fk_introduction_events_introduction_id_introductions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introduction_events'))
    )
    with op.batch_alter_table('introduction_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introduction_events_introduction_id'), ['introduction_id'], unique=False)

    op.create_table('introduction_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('introduction_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_rub', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['introduction_id'], ['introductions.id'], name=op.f('fk_introduction_outcomes_introduction_id_introductions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_introduction_outcomes_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introduction_outcomes'))
    )
    with op.batch_alter_table('introduction_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introduction_outcomes_introduction_id'), ['introduction_id'], unique=False)

    op.create_table('success_stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_ru', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('member_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('member_consent_by_id', sa.Integer(), nullable=True),
    sa.Column('partner_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('partner_consent_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_success_stories_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_consent_by_id'], ['users.id'], name=op.f('fk_success_stories_member_consent_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outcome_id'], ['introduction_outcomes.id'], name=op.f('fk_success_stories_outcome_id_introduction_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_consent_by_id'], ['users.id'], name=op.f('fk_success_stories_partner_consent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_success_stories')),
    sa.UniqueConstraint('outcome_id', name=op.f('uq_success_stories_outcome_id'))
    )
    with op.batch_alter_table('success_stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_success_stories_published_at'), ['published_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('success_stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_success_stories_published_at'))

    op.drop_table('success_stories')
    with op.batch_alter_table('introduction_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introduction_outcomes_introduction_id'))

    op.drop_table('introduction_outcomes')
    with op.batch_alter_table('introduction_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introduction_events_introduction_id'))

    op.drop_table('introduction_events')
    op.drop_table('partner_profiles')
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_index('ix_introductions_status_changed')
        batch_op.drop_index(batch_op.f('ix_introductions_requester_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_introductions_partner_organisation_id'))

    op.drop_table('introductions')
