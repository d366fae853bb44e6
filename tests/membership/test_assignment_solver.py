"""The assignment model alone (no database): it equals the brute-force optimum on small
generated cases, never pairs a blocked or "unable" reviewer, keeps loads within one and says
why a place stays empty."""

from __future__ import annotations

import itertools
import random

import pytest

from app.membership.assignment import (
    ApplicationIn,
    Interest,
    Pair,
    Problem,
    ReviewerIn,
    UnfilledReason,
    eligible_reviewers,
    fit,
    greedy,
    solve,
    topics_in,
    value,
)

SECTORS = ("software", "energy", "fintech")
TOPICS = ("lidar", "ai", "batteries", "payments")


def _generate(seed: int) -> Problem:
    rng = random.Random(seed)
    reviewers = tuple(
        ReviewerIn(
            id=n + 1,
            sectors=frozenset(rng.sample(SECTORS, rng.randint(0, 2))),
            topics=frozenset(rng.sample(TOPICS, rng.randint(0, 2))),
            open_reviews=rng.choice((0, 0, 1, 2)),
        )
        for n in range(rng.randint(3, 5))
    )
    applications = []
    for n in range(rng.randint(1, 3)):
        bids = {}
        blocked = set()
        for reviewer in reviewers:
            roll = rng.random()
            if roll < 0.15:
                blocked.add(reviewer.id)
            elif roll < 0.6:
                bids[reviewer.id] = rng.choice(list(Interest))
        applications.append(
            ApplicationIn(
                id=100 + n,
                needed=rng.randint(1, 2),
                sector=rng.choice(SECTORS),
                topics=frozenset(rng.sample(TOPICS, rng.randint(0, 2))),
                blocked=frozenset(blocked),
                bids=bids,
            )
        )
    return Problem(tuple(applications), reviewers)


def _brute_force(problem: Problem) -> float:
    choices = []
    for application in problem.applications:
        allowed = [r.id for r in problem.reviewers if application.allows(r)]
        options = [
            combo
            for size in range(min(application.needed, len(allowed)) + 1)
            for combo in itertools.combinations(allowed, size)
        ]
        choices.append([[Pair(application.id, r) for r in combo] for combo in options])
    return max(
        value(problem, [pair for part in picked for pair in part])
        for picked in itertools.product(*choices)
    )


def _loads(problem: Problem, pairs: tuple[Pair, ...]) -> list[int]:
    added = {r.id: 0 for r in problem.reviewers}
    for pair in pairs:
        added[pair.reviewer_id] += 1
    return [r.open_reviews + added[r.id] for r in eligible_reviewers(problem)]


@pytest.mark.parametrize("seed", range(40))
def test_equals_the_brute_force_optimum(seed: int) -> None:
    problem = _generate(seed)
    solution = solve(problem)
    assert solution.optimal
    assert solution.objective == pytest.approx(_brute_force(problem))
    assert solution.objective == pytest.approx(value(problem, solution.pairs))
    assert solution.bound >= solution.objective - 1e-6
    by_id = {a.id: a for a in problem.applications}
    reviewers = {r.id: r for r in problem.reviewers}
    for pair in solution.pairs:
        application = by_id[pair.application_id]
        assert pair.reviewer_id not in application.blocked
        assert application.bids.get(pair.reviewer_id) != Interest.unable
        assert pair.fit == fit(application, reviewers[pair.reviewer_id])
    assert len(set(solution.pairs)) == len(solution.pairs)
    # The optimum is never worse than today's greedy balance.
    assert solution.objective >= value(problem, greedy(problem)) - 1e-6


def test_balance_within_one_counting_existing_open_reviews() -> None:
    reviewers = tuple(ReviewerIn(id=n, open_reviews=2 if n == 1 else 0) for n in range(1, 6))
    applications = tuple(
        ApplicationIn(id=10 + n, needed=2, bids={1: Interest.eager}) for n in range(4)
    )
    problem = Problem(applications, reviewers)
    solution = solve(problem)
    loads = _loads(problem, solution.pairs)
    assert max(loads) - min(loads) <= 1
    assert len(solution.pairs) == 8
    assert solution.unfilled == ()
    # The eager reviewer, already busy, takes nothing: balance comes before bids.
    assert all(p.reviewer_id != 1 for p in solution.pairs)


def test_unfilled_places_say_why() -> None:
    reviewers = (ReviewerIn(id=1), ReviewerIn(id=2), ReviewerIn(id=3))
    applications = (
        ApplicationIn(id=1, needed=2, blocked=frozenset({1, 2, 3})),
        ApplicationIn(id=2, needed=3, bids={3: Interest.unable}),
        ApplicationIn(id=3, needed=1),
    )
    solution = solve(Problem(applications, reviewers))
    reasons = {u.application_id: (u.reason, u.missing) for u in solution.unfilled}
    assert reasons == {
        1: (UnfilledReason.no_reviewers, 2),
        2: (UnfilledReason.too_few_eligible, 1),
    }
    assert {p.reviewer_id for p in solution.pairs if p.application_id == 2} == {1, 2}


def test_balance_first_leaves_a_place_empty_when_it_must() -> None:
    # Reviewer 2 may take nothing but application 1, which reviewer 1 may take too; reviewer 1
    # taking application 2 as well would leave reviewer 2 two behind.
    reviewers = (ReviewerIn(id=1), ReviewerIn(id=2), ReviewerIn(id=3, open_reviews=1))
    applications = (
        ApplicationIn(id=1, needed=1, blocked=frozenset({3})),
        ApplicationIn(id=2, needed=2, blocked=frozenset({2})),
    )
    problem = Problem(applications, reviewers)
    solution = solve(problem)
    assert solution.objective == pytest.approx(_brute_force(problem))
    loads = _loads(problem, solution.pairs)
    assert max(loads) - min(loads) <= 1


def test_no_reviewers_at_all() -> None:
    solution = solve(Problem((ApplicationIn(id=1, needed=3),), ()))
    assert solution.pairs == ()
    assert [(u.reason, u.missing) for u in solution.unfilled] == [(UnfilledReason.no_reviewers, 3)]
    assert solution.optimal


def test_topics_are_found_in_the_text_case_insensitively() -> None:
    text = "Платформа LiDAR-съёмки для Агрохолдингов"
    assert topics_in(text, ["lidar", "агрохолдинг", "batteries", " "]) == {"lidar", "агрохолдинг"}
