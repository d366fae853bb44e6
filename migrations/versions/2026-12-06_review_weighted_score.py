"""Reviews: the weighted score as saved

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06

Each review keeps its scores weighed by the rubric, so that the committee's statistics (each
reviewer's mean and spread, the normalised scores of the board) are SQL aggregates. Existing
reviews are weighed with the rubric the portal is configured with (`PORTAL_MEMBERSHIP_WEIGHTS`),
as the board weighed them until now.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CRITERIA = ("innovation", "team", "market", "cluster_fit")


def _weighted(scores: dict[str, int], weights: dict[str, float]) -> float:
    """The rubric's weighting as `membership.reviews.weighted_score` applied it on 2026-12-06."""
    factors = [weights.get(name, 0.0) for name in CRITERIA]
    total = sum(factors) or 1.0
    return round(sum(scores[n] * f for n, f in zip(CRITERIA, factors, strict=True)) / total, 2)


def upgrade() -> None:
    from app.config import get_settings

    with op.batch_alter_table("membership_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weighted_score", sa.Float(), nullable=True))
    reviews = sa.table(
        "membership_reviews",
        sa.column("id", sa.Integer()),
        sa.column("scores", sa.JSON()),
        sa.column("weighted_score", sa.Float()),
    )
    weights = dict(get_settings().membership_weights)
    connection = op.get_bind()
    rows = connection.execute(sa.select(reviews.c.id, reviews.c.scores)).all()
    for review_id, scores in rows:
        connection.execute(
            reviews.update()
            .where(reviews.c.id == review_id)
            .values(weighted_score=_weighted(scores, weights))
        )
    with op.batch_alter_table("membership_reviews", schema=None) as batch_op:
        batch_op.alter_column("weighted_score", existing_type=sa.Float(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("membership_reviews", schema=None) as batch_op:
        batch_op.drop_column("weighted_score")
