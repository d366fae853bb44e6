"""Optimal assignment of reviewers to applications, as a pure model: no database, no ORM.

One MILP solved by HiGHS (`scipy.optimize.milp`). A variable x[a, r] for every application a and
every reviewer r allowed to take it (not conflicted, not bidding "unable", not already on it)
says r reviews a. The model maximises the fit of the chosen pairs (`fit`: sector match, topic
overlap and the bid) subject to:

- each application gets at most the reviewers it still needs; a place left empty costs more
  than all the fit the instance can give (`penalties`), so every place that can be filled is;
- balance: every eligible reviewer (allowed to take at least one of the applications) ends with
  between `high - 1` and `high` open reviews, counting those they already have, `high` being a
  variable of the model. A reviewer whose load stays below `high - 1` costs more per missing
  review than every empty place together: balance comes first, as the contract requires, and
  holds whenever it can.

The objective and the upper bound (HiGHS's dual bound) are in the units of that objective: the
fit of the chosen pairs less the penalties, which are zero in the usual case."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SECTOR_WEIGHT = 3
TOPIC_WEIGHT = 1
MAX_TOPICS = 3  # topic overlap counts at most this many shared topics


class Interest(StrEnum):
    eager = "eager"
    willing = "willing"
    unable = "unable"


BID_WEIGHT: Mapping[Interest | None, int] = {
    Interest.eager: 4,
    Interest.willing: 2,
    None: 0,
}
MAX_FIT = SECTOR_WEIGHT + TOPIC_WEIGHT * MAX_TOPICS + max(BID_WEIGHT.values())


class UnfilledReason(StrEnum):
    no_reviewers = "no_reviewers"
    too_few_eligible = "too_few_eligible"
    balance = "balance"


@dataclass(frozen=True)
class ReviewerIn:
    """A committee member: their expertise and their open reviews before this run."""

    id: int
    sectors: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    open_reviews: int = 0


@dataclass(frozen=True)
class ApplicationIn:
    """An application with the places still to fill (`needed`), its sector and topics, the
    reviewers who may not take it (conflicts of every kind, reviewers already on it) and the
    bids made on it."""

    id: int
    needed: int
    sector: str | None = None
    topics: frozenset[str] = frozenset()
    blocked: frozenset[int] = frozenset()
    bids: Mapping[int, Interest] = field(default_factory=dict)

    def allows(self, reviewer: ReviewerIn) -> bool:
        return reviewer.id not in self.blocked and self.bids.get(reviewer.id) != Interest.unable


@dataclass(frozen=True)
class Problem:
    applications: tuple[ApplicationIn, ...]
    reviewers: tuple[ReviewerIn, ...]


@dataclass(frozen=True)
class Pair:
    application_id: int
    reviewer_id: int
    fit: int = 0


@dataclass(frozen=True)
class Unfilled:
    application_id: int
    missing: int
    reason: UnfilledReason


@dataclass(frozen=True)
class Solution:
    pairs: tuple[Pair, ...]
    objective: float
    bound: float
    optimal: bool
    unfilled: tuple[Unfilled, ...]
    seconds: float


def penalties(problem: Problem) -> tuple[int, int]:
    """The cost of an empty place (more than every fit together) and of a review missing for
    balance (more than every empty place and fit together): a lexicographic objective."""
    places = sum(max(a.needed, 0) for a in problem.applications)
    unfilled = MAX_FIT * places + 1
    return unfilled, unfilled * (places + 1)


def fit(application: ApplicationIn, reviewer: ReviewerIn) -> int:
    """How well the reviewer suits the application: the sector, the shared topics, the bid."""
    score = SECTOR_WEIGHT if application.sector and application.sector in reviewer.sectors else 0
    score += TOPIC_WEIGHT * min(len(application.topics & reviewer.topics), MAX_TOPICS)
    return score + BID_WEIGHT[application.bids.get(reviewer.id)]


def topics_in(text: str, topics: Iterable[str]) -> frozenset[str]:
    """The topics (case-folded) that a text mentions."""
    folded = text.casefold()
    return frozenset(t for t in (topic.casefold().strip() for topic in topics) if t and t in folded)


def eligible_reviewers(problem: Problem) -> list[ReviewerIn]:
    """The reviewers allowed to take at least one of the applications: those kept in balance."""
    return [r for r in problem.reviewers if any(a.allows(r) for a in problem.applications)]


def _reasons(
    problem: Problem, pairs: Iterable[Pair], started: float
) -> tuple[tuple[Unfilled, ...], float]:
    taken: dict[int, int] = {}
    for pair in pairs:
        taken[pair.application_id] = taken.get(pair.application_id, 0) + 1
    unfilled = []
    for application in problem.applications:
        missing = application.needed - taken.get(application.id, 0)
        if missing <= 0:
            continue
        allowed = sum(1 for r in problem.reviewers if application.allows(r))
        if allowed == 0:
            reason = UnfilledReason.no_reviewers
        elif allowed < application.needed:
            reason = UnfilledReason.too_few_eligible
        else:
            reason = UnfilledReason.balance
        unfilled.append(Unfilled(application.id, missing, reason))
    return tuple(unfilled), time.perf_counter() - started


def solve(problem: Problem, *, time_limit: float = 30.0, fix_high: bool = True) -> Solution:
    """The assignment that maximises the total fit under the constraints above.

    When every place that can be filled is filled and the loads are balanced, the total load is
    known in advance and so is `high`: ceil(total / eligible reviewers). The model is first
    solved with `high` fixed there, which leaves a transportation problem whose LP relaxation is
    integral (HiGHS proves it at the root). Only when that leaves a penalty (existing loads too
    uneven, places that balance keeps empty) is the model solved again with `high` free
    (`fix_high=False` goes there at once, for the benchmark)."""
    started = time.perf_counter()
    reviewers = eligible_reviewers(problem)
    if not reviewers:
        unfilled, seconds = _reasons(problem, (), started)
        return Solution((), 0.0, 0.0, True, unfilled, seconds)
    fillable = sum(
        min(max(a.needed, 0), sum(1 for r in reviewers if a.allows(r)))
        for a in problem.applications
    )
    total = sum(r.open_reviews for r in reviewers) + fillable
    high = -(-total // len(reviewers))
    unavoidable = penalties(problem)[0] * (
        sum(max(a.needed, 0) for a in problem.applications) - fillable
    )
    # A reviewer already above `high` makes the fixed model infeasible.
    if fix_high and all(r.open_reviews <= high for r in reviewers):
        solution = _solve(problem, reviewers, high, time_limit, started)
        if solution is not None and solution.optimal and _penalty(solution) <= unavoidable:
            return solution
    remaining = max(time_limit - (time.perf_counter() - started), 1.0)
    solution = _solve(problem, reviewers, None, remaining, started)
    if solution is None:  # pragma: no cover - with `high` free the model is always feasible
        raise RuntimeError("the assignment model has no solution")
    return solution


def _penalty(solution: Solution) -> float:
    return sum(p.fit for p in solution.pairs) - solution.objective


def _solve(
    problem: Problem,
    reviewers: list[ReviewerIn],
    high: int | None,
    time_limit: float,
    started: float,
) -> Solution | None:
    # Imported here: NumPy and SciPy take about 0.4 s to load, which every process that starts
    # the portal would pay without ever solving.
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    index = {r.id: n for n, r in enumerate(reviewers)}
    variables: list[tuple[int, int]] = []  # (application position, reviewer position)
    gains: list[float] = []
    for a_pos, application in enumerate(problem.applications):
        if application.needed <= 0:
            continue
        for reviewer in reviewers:
            if application.allows(reviewer):
                variables.append((a_pos, index[reviewer.id]))
                gains.append(fit(application, reviewer))
    n_x = len(variables)
    n_apps = len(problem.applications)
    n_rev = len(reviewers)
    # Columns: x (n_x), u per application (n_apps), d per reviewer (n_rev), high (1).
    u0, d0, hi = n_x, n_x + n_apps, n_x + n_apps + n_rev
    n_vars = hi + 1
    cost = np.zeros(n_vars)
    cost[:n_x] = -np.asarray(gains, dtype=float)
    cost[u0:d0], cost[d0:hi] = penalties(problem)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []

    def put(row: int, col: int, value: float) -> None:
        rows.append(row)
        cols.append(col)
        vals.append(value)

    # Places: sum_r x[a, r] + u[a] == needed[a]   (rows 0 .. n_apps-1)
    for col, (a_pos, r_pos) in enumerate(variables):
        put(a_pos, col, 1.0)
        # Load upper: existing + sum_a x[a, r] - high <= 0   (rows n_apps + r)
        put(n_apps + r_pos, col, 1.0)
        # Load lower: existing + sum_a x[a, r] + d[r] - high >= -1   (rows n_apps + n_rev + r)
        put(n_apps + n_rev + r_pos, col, 1.0)
    lower = np.zeros(n_apps + 2 * n_rev)
    upper = np.zeros(n_apps + 2 * n_rev)
    for a_pos, application in enumerate(problem.applications):
        put(a_pos, u0 + a_pos, 1.0)
        lower[a_pos] = upper[a_pos] = max(application.needed, 0)
    for r_pos, reviewer in enumerate(reviewers):
        put(n_apps + r_pos, hi, -1.0)
        lower[n_apps + r_pos], upper[n_apps + r_pos] = -np.inf, -reviewer.open_reviews
        put(n_apps + n_rev + r_pos, d0 + r_pos, 1.0)
        put(n_apps + n_rev + r_pos, hi, -1.0)
        lower[n_apps + n_rev + r_pos] = -1 - reviewer.open_reviews
        upper[n_apps + n_rev + r_pos] = np.inf
    matrix = coo_matrix((vals, (rows, cols)), shape=(n_apps + 2 * n_rev, n_vars)).tocsr()
    var_lower = np.zeros(n_vars)
    var_upper = np.full(n_vars, np.inf)
    var_upper[:n_x] = 1
    if high is not None:
        var_lower[hi] = var_upper[hi] = high
    integrality = np.zeros(n_vars)
    integrality[:n_x] = 1
    integrality[hi] = 1
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=integrality,
        bounds=Bounds(var_lower, var_upper),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    if result.x is None:
        return None
    pairs = tuple(
        Pair(problem.applications[a_pos].id, reviewers[r_pos].id, int(gains[col]))
        for col, (a_pos, r_pos) in enumerate(variables)
        if result.x[col] > 0.5
    )
    objective = -float(result.fun)
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and math.isfinite(dual) else objective
    unfilled, seconds = _reasons(problem, pairs, started)
    return Solution(
        pairs=pairs,
        objective=round(objective, 6),
        bound=round(max(bound, objective), 6),
        optimal=result.status == 0,
        unfilled=unfilled,
        seconds=seconds,
    )


def value(problem: Problem, pairs: Iterable[Pair]) -> float:
    """The objective of any assignment, with the same penalties as the model, so that another
    method (the greedy balance, a brute force) is measured on the same scale."""
    by_id = {a.id: a for a in problem.applications}
    reviewers = {r.id: r for r in problem.reviewers}
    total = 0.0
    taken: dict[int, int] = {}
    added: dict[int, int] = {}
    for pair in pairs:
        total += fit(by_id[pair.application_id], reviewers[pair.reviewer_id])
        taken[pair.application_id] = taken.get(pair.application_id, 0) + 1
        added[pair.reviewer_id] = added.get(pair.reviewer_id, 0) + 1
    unfilled_cost, balance_cost = penalties(problem)
    total -= unfilled_cost * sum(
        max(a.needed - taken.get(a.id, 0), 0) for a in problem.applications
    )
    loads = [r.open_reviews + added.get(r.id, 0) for r in eligible_reviewers(problem)]
    if loads:
        top = max(loads)
        total -= balance_cost * sum(max(top - 1 - load, 0) for load in loads)
    return total


def greedy(problem: Problem) -> tuple[Pair, ...]:
    """Today's balance: each application in turn takes the allowed reviewers with the fewest
    open reviews (ties by id), ignoring expertise and bids."""
    load = {r.id: r.open_reviews for r in problem.reviewers}
    pairs = []
    for application in problem.applications:
        allowed = sorted(
            (r for r in problem.reviewers if application.allows(r)),
            key=lambda r: (load[r.id], r.id),
        )
        for reviewer in allowed[: max(application.needed, 0)]:
            pairs.append(Pair(application.id, reviewer.id, fit(application, reviewer)))
            load[reviewer.id] += 1
    return tuple(pairs)
