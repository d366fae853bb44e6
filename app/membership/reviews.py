"""Reviews: the rubric, a reviewer's review and its versions, and the aggregates of the counted
reviews."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.config import get_settings
from app.db import utcnow
from app.errors import FieldError
from app.membership import policies, rubric
from app.membership.models import Application, Assignment, Review, ReviewVersion
from app.membership.queries import counted_reviews
from app.membership.reading import REVIEWS_LOAD, get_application, log_refusal
from app.membership.shapes import Reviewable

HIGH_DISAGREEMENT = 2.0


@dataclass(frozen=True)
class ReviewSettings:
    quorum: int
    term_days: int


def review_settings() -> ReviewSettings:
    """The quorum and the membership term (`PORTAL_MEMBERSHIP_*`); the weights are the rubric's
    (`app.membership.rubric`)."""
    settings = get_settings()
    return ReviewSettings(
        quorum=settings.membership_quorum, term_days=settings.membership_term_days
    )


def weighted_score(scores: Mapping[str, int], weights: Mapping[str, float]) -> float:
    """The scores weighed by the rubric version they were given under, on the same 1..5 scale
    whatever the criteria and the sum of the weights."""
    factors = {name: weight for name, weight in weights.items() if name in scores}
    total = sum(factors.values()) or 1.0
    return round(sum(scores[name] * factor for name, factor in factors.items()) / total, 2)


def rescore(review: Review) -> None:
    """Keep the review's weighted score (the column the committee's statistics aggregate) in
    step with its scores; every path that writes scores calls it."""
    review.weighted_score = weighted_score(review.scores, review.weights)


def save_review(
    session: Session,
    *,
    actor: User,
    application_id: int,
    scores: dict[str, int],
    comment: str,
    recommendation: str,
) -> Review:
    """Assigned reviewers who declared no conflict review while the application is under review;
    each edit keeps the previous text as a version."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    policies.enforce(policies.review_refusal(actor, application))
    assignment = policies.assignment_of(application, actor)
    assert assignment is not None  # review_refusal: the reviewer is assigned to this round
    if application.rubric_version is None:  # submitted before the rubric had versions
        rubric.stamp(session, application)
    version = application.rubric_version
    assert version is not None
    problem = rubric.scores_problem(version, scores)
    if problem is not None:
        raise FieldError("scores", problem)
    review = assignment.review
    now = utcnow()
    if review is None:
        review = Review(
            scores=dict(scores),
            comment=comment,
            recommendation=recommendation,
            rubric_version=version,
            submitted_at=now,
        )
        assignment.review = review
        action = "review.submitted"
    else:
        review.versions.append(
            ReviewVersion(
                scores=dict(review.scores),
                comment=review.comment,
                recommendation=str(review.recommendation),
                created_at=review.updated_at,
            )
        )
        review.scores = dict(scores)
        review.rubric_version = version
        review.comment = comment
        review.recommendation = recommendation  # type: ignore[assignment]
        action = "review.updated"
    rescore(review)
    review.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action=action,
        entity_type="membership_application",
        entity_id=application.id,
        data={"review_id": review.id},
    )
    return review


def list_reviews(session: Session, *, actor: User, application_id: int) -> list[Review]:
    """Chair and staff; reviewers only after submitting their own; never the recused. Each
    review comes with its assignment, reviewer and versions (three statements in all)."""
    application = get_application(
        session, actor=actor, application_id=application_id, load=REVIEWS_LOAD
    )
    refusal = policies.reviews_refusal(session, actor, application)
    if refusal is not None:
        if policies.is_recused(application, actor):
            log_refusal(actor, application, "application.reviews_refused")
        raise refusal
    return [review for _assignment, review in reviews_on_record(application)]


def reviews_on_record(application: Application) -> list[tuple[Assignment, Review]]:
    """The reviews of every round with their assignments, leaving out recused reviewers; only
    those of the current round count (`queries.is_counted`)."""
    return [
        (a, a.review) for a in application.assignments if a.review is not None and not a.conflict
    ]


@dataclass(frozen=True)
class Aggregate:
    reviews: int
    quorum: int
    weighted_mean: float | None
    median: float | None
    disagreement: float | None
    high_disagreement: bool


def aggregate(application: Reviewable[Any]) -> Aggregate:
    config = review_settings()
    values = [weighted_score(r.scores, r.weights) for r in counted_reviews(application)]
    if not values:
        return Aggregate(0, config.quorum, None, None, None, False)
    spread = round(max(values) - min(values), 2)
    return Aggregate(
        len(values),
        config.quorum,
        round(statistics.fmean(values), 2),
        round(statistics.median(values), 2),
        spread,
        spread >= HIGH_DISAGREEMENT,
    )
