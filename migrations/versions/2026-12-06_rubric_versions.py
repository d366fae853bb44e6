"""The review rubric in versions: staff edit the criteria, labels, weights and descriptions; an
application keeps the version it was submitted under and each review the version it used. The
first version holds the fixed criteria with the configured weights, and every submitted
application and every review is given it.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.config import get_settings

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The criteria as they were fixed in the code until this revision.
FIXED_CRITERIA = (
    ("innovation", "Инновационность", "Innovation", "Новизна продукта или технологии, её защищённость."),
    ("team", "Команда", "Team", "Опыт, полнота и вовлечённость команды."),
    ("market", "Рынок", "Market", "Размер рынка, клиенты и путь к ним."),
    ("cluster_fit", "Соответствие кластеру", "Cluster fit", "Польза для кластера и его участников."),
)  # fmt: skip


def upgrade() -> None:
    versions = op.create_table(
        "membership_rubric_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=12), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_membership_rubric_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_rubric_versions")),
    )
    with op.batch_alter_table("membership_rubric_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_rubric_versions_track"), ["track"], unique=False
        )
    weights = get_settings().membership_weights
    op.bulk_insert(
        versions,
        [
            {
                "track": "membership",
                "criteria": [
                    {
                        "key": key,
                        "label": label,
                        "label_en": label_en,
                        "weight": float(weights.get(key, 0.0)),
                        "description": description,
                    }
                    for key, label, label_en, description in FIXED_CRITERIA
                ],
                "created_at": datetime.now(UTC),
                "created_by_id": None,
            }
        ],
    )
    first = sa.select(sa.func.min(versions.c.id)).scalar_subquery()

    applications = sa.table(
        "membership_applications",
        sa.column("rubric_version_id", sa.Integer()),
        sa.column("submitted_at", sa.DateTime(timezone=True)),
    )
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rubric_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_membership_applications_rubric_version_id_membership_rubric_versions"),
            "membership_rubric_versions",
            ["rubric_version_id"],
            ["id"],
        )
    op.execute(
        applications.update()
        .where(applications.c.submitted_at.is_not(None))
        .values(rubric_version_id=first)
    )

    reviews = sa.table("membership_reviews", sa.column("rubric_version_id", sa.Integer()))
    with op.batch_alter_table("membership_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rubric_version_id", sa.Integer(), nullable=True))
    op.execute(reviews.update().values(rubric_version_id=first))
    with op.batch_alter_table("membership_reviews", schema=None) as batch_op:
        batch_op.alter_column("rubric_version_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_membership_reviews_rubric_version_id_membership_rubric_versions"),
            "membership_rubric_versions",
            ["rubric_version_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_membership_reviews_rubric_version_id_membership_rubric_versions"),
            type_="foreignkey",
        )
        batch_op.drop_column("rubric_version_id")
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_membership_applications_rubric_version_id_membership_rubric_versions"),
            type_="foreignkey",
        )
        batch_op.drop_column("rubric_version_id")
    with op.batch_alter_table("membership_rubric_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_rubric_versions_track"))
    op.drop_table("membership_rubric_versions")
