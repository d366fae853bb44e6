"""Normalised scores and the calibration of reviewers.

Some reviewers score harshly and some leniently; an application that drew harsh reviewers
should not lose for it. Every figure here is built from the counted reviews
(`queries.counting_assignment`) and their weighted scores (`Review.weighted_score`).

**Normalised score.** Let M and S be the mean and the standard deviation (n − 1) of every
counted weighted score of the committee, and, for a reviewer with n counted reviews, m their
mean and SS their sum of squared deviations. Their mean and variance are shrunk towards the
committee's as if they had written k = `PRIOR_REVIEWS` more reviews at the committee's mean and
spread (empirical Bayes with a normal prior on the mean and a scaled inverse-χ² prior on the
variance, each worth k observations):

    m′ = (n·m + k·M) / (n + k)        s′² = (SS + k·S²) / (n − 1 + k)

A review scored x then reads, on the committee's scale,

    normalised = M + S · (x − m′) / s′, clipped to 1..5

so a reviewer with many reviews is judged by their own history, and a newcomer hardly at all:
with one review s′ = S and the score moves by (x − M) / (k + 1) towards the committee mean. An
application's normalised mean is the mean of the normalised scores of its counted reviews.

**Calibration.** On each application with two or more counted reviews, a reviewer's difference
is their score minus the mean of the other reviewers' scores. For each reviewer with at least
`MIN_SHARED` such applications the report gives n, the mean difference and the effect size:
the mean difference over S (the committee's pooled standard deviation of scores). An effect of
−`EFFECT_THRESHOLD` or below is harsh, +`EFFECT_THRESHOLD` or above lenient (Cohen's "medium"
effect), anything between in line.

The statistics are one SQL aggregate per request (kept on the session until its next flush);
the rest is arithmetic on a handful of numbers per reviewer."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.membership import policies, queries, shapes
from app.membership.models import Application, Assignment, Review

PRIOR_REVIEWS = 5
MIN_SHARED = 2
EFFECT_THRESHOLD = 0.5
LOWEST, HIGHEST = 1.0, 5.0

Label = Literal["harsh", "lenient", "in_line"]


@dataclass(frozen=True)
class Spread:
    mean: float
    sd: float


@dataclass(frozen=True)
class Standards:
    """The committee's mean and spread and each reviewer's shrunk ones."""

    committee: Spread
    reviewers: dict[int, Spread] = field(default_factory=dict)

    def normalise(self, reviewer_id: int, score: float) -> float:
        own = self.reviewers.get(reviewer_id, self.committee)
        if own.sd <= 1e-9:
            value = self.committee.mean + (score - own.mean)
        else:
            value = self.committee.mean + self.committee.sd * (score - own.mean) / own.sd
        return min(HIGHEST, max(LOWEST, value))


def shrink(committee: Spread, count: int, total: float, squares: float) -> Spread:
    """A reviewer's mean and standard deviation shrunk towards the committee's."""
    k = PRIOR_REVIEWS
    mean = total / count
    deviations = max(0.0, squares - total * mean)
    return Spread(
        (count * mean + k * committee.mean) / (count + k),
        math.sqrt((deviations + k * committee.sd**2) / (count - 1 + k)),
    )


def standards_from(rows: Iterable[tuple[int, int, float, float]]) -> Standards | None:
    """The standards from (reviewer, count, sum, sum of squares) of counted weighted scores;
    None without any counted review."""
    rows = [(r, int(n), float(t), float(q)) for r, n, t, q in rows if n]
    count = sum(n for _r, n, _t, _q in rows)
    if not count:
        return None
    total = sum(t for _r, _n, t, _q in rows)
    squares = sum(q for _r, _n, _t, q in rows)
    mean = total / count
    variance = max(0.0, squares - total * mean) / (count - 1) if count > 1 else 0.0
    committee = Spread(mean, math.sqrt(variance))
    return Standards(committee, {r: shrink(committee, n, t, q) for r, n, t, q in rows})


def _counted_scores(*columns: Any) -> Select[Any]:
    """The counted reviews with their weighted scores, as `columns`."""
    return (
        select(*columns)
        .select_from(Review)
        .join(Assignment, Assignment.id == Review.assignment_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(queries.counting_assignment())
    )


_STANDARDS = "membership_review_standards"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_soft_rollback")
def _forget_standards(session: Session, *_args: object) -> None:
    session.info.pop(_STANDARDS, None)


def standards(session: Session) -> Standards | None:
    """One aggregate statement, asked once until the session's next flush or rollback."""
    if _STANDARDS not in session.info:
        score = Review.weighted_score
        rows = session.execute(
            _counted_scores(
                Assignment.reviewer_id, func.count(), func.sum(score), func.sum(score * score)
            ).group_by(Assignment.reviewer_id)
        )
        session.info[_STANDARDS] = standards_from(rows)
    found: Standards | None = session.info[_STANDARDS]
    return found


def mean_of(found: Standards | None, reviews: list[tuple[int, float]]) -> float | None:
    """The normalised mean of (reviewer, weighted score) pairs."""
    if found is None or not reviews:
        return None
    return round(statistics.fmean(found.normalise(r, x) for r, x in reviews), 2)


def normalised_mean(session: Session, application: shapes.Reviewable[Any]) -> float | None:
    """The mean normalised score of the application's counted reviews; None without any."""
    counted = [
        (a.reviewer_id, a.review.weighted_score)
        for a in application.assignments
        if a.review is not None and queries.is_counted(application, a)
    ]
    return mean_of(standards(session), counted) if counted else None


def by_normalised_mean(session: Session, ids: list[int]) -> list[int]:
    """The applications `ids` (in their given order) by normalised mean, highest first; those
    without counted reviews last. One statement besides the standards."""
    if not ids:
        return []
    reviews: dict[int, list[tuple[int, float]]] = {}
    for application_id, reviewer_id, score in session.execute(
        _counted_scores(
            Assignment.application_id, Assignment.reviewer_id, Review.weighted_score
        ).where(Assignment.application_id.in_(ids))
    ):
        reviews.setdefault(application_id, []).append((reviewer_id, score))
    found = standards(session)
    means = {a: mean_of(found, pairs) for a, pairs in reviews.items()}

    def key(application_id: int) -> tuple[bool, float]:
        mean = means.get(application_id)
        return (mean is None, -(mean or 0.0))

    return sorted(ids, key=key)


# --- The calibration report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerCalibration:
    reviewer_id: int
    full_name: str
    reviews: int
    shared: int
    difference: float
    effect_size: float
    label: Label


@dataclass(frozen=True)
class CalibrationReport:
    committee_mean: float | None
    committee_sd: float | None
    prior_reviews: int
    min_shared: int
    threshold: float
    reviewers: list[ReviewerCalibration]


def label_of(effect: float) -> Label:
    if effect <= -EFFECT_THRESHOLD:
        return "harsh"
    if effect >= EFFECT_THRESHOLD:
        return "lenient"
    return "in_line"


def calibration_report(session: Session, *, actor: User) -> CalibrationReport:
    """Each reviewer against the other reviewers of the same applications (chair and staff)."""
    policies.enforce(policies.calibration_refusal(actor))
    found = standards(session)
    by_application: dict[int, list[tuple[int, float]]] = {}
    names: dict[int, str] = {}
    counts: dict[int, int] = {}
    for application_id, reviewer_id, name, score in session.execute(
        _counted_scores(
            Assignment.application_id, Assignment.reviewer_id, User.full_name, Review.weighted_score
        ).join(User, User.id == Assignment.reviewer_id)
    ):
        by_application.setdefault(application_id, []).append((reviewer_id, score))
        names[reviewer_id] = name
        counts[reviewer_id] = counts.get(reviewer_id, 0) + 1
    differences: dict[int, list[float]] = {}
    for pairs in by_application.values():
        if len(pairs) < 2:
            continue
        total = sum(x for _r, x in pairs)
        for reviewer_id, score in pairs:
            others = (total - score) / (len(pairs) - 1)
            differences.setdefault(reviewer_id, []).append(score - others)
    sd = found.committee.sd if found else 0.0
    rows = []
    for reviewer_id, values in differences.items():
        if len(values) < MIN_SHARED:
            continue
        difference = statistics.fmean(values)
        effect = difference / sd if sd > 1e-9 else 0.0
        rows.append(
            ReviewerCalibration(
                reviewer_id=reviewer_id,
                full_name=names[reviewer_id],
                reviews=counts[reviewer_id],
                shared=len(values),
                difference=round(difference, 2),
                effect_size=round(effect, 2),
                label=label_of(effect),
            )
        )
    rows.sort(key=lambda row: (row.effect_size, row.full_name, row.reviewer_id))
    return CalibrationReport(
        committee_mean=round(found.committee.mean, 2) if found else None,
        committee_sd=round(found.committee.sd, 2) if found else None,
        prior_reviews=PRIOR_REVIEWS,
        min_shared=MIN_SHARED,
        threshold=EFFECT_THRESHOLD,
        reviewers=rows,
    )
