"""A confirmed deal becomes a success story: a story names its organisations when it does not
come from an introduction's outcome, and the deal links to its story

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("success_stories", schema=None) as batch_op:
        batch_op.alter_column("outcome_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("member_organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("partner_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_success_stories_member_organisation_id_organisations"),
            "organisations",
            ["member_organisation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_success_stories_partner_organisation_id_organisations"),
            "organisations",
            ["partner_organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_success_stories_member_organisation_id"), ["member_organisation_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_success_stories_partner_organisation_id"), ["partner_organisation_id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_success_stories_has_sides"),
            "outcome_id IS NOT NULL OR member_organisation_id IS NOT NULL",
        )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deals_story_id_success_stories"),
            "success_stories",
            ["story_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_deals_story_id"), ["story_id"])


def downgrade() -> None:
    # The earlier schema knows stories of introductions only: the deals' stories go.
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deals_story_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_deals_story_id_success_stories"), type_="foreignkey")
        batch_op.drop_column("story_id")
    op.execute("DELETE FROM success_stories WHERE outcome_id IS NULL")
    with op.batch_alter_table("success_stories", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_success_stories_has_sides"), type_="check")
        batch_op.drop_index(batch_op.f("ix_success_stories_partner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_success_stories_member_organisation_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_success_stories_partner_organisation_id_organisations"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_success_stories_member_organisation_id_organisations"),
            type_="foreignkey",
        )
        batch_op.drop_column("partner_organisation_id")
        batch_op.drop_column("member_organisation_id")
        batch_op.alter_column("outcome_id", existing_type=sa.Integer(), nullable=False)
