"""Reviewer assignment benchmark: 300 applications × 40 reviewers.

Generates sectors, topics, random bids and some conflicts, runs the optimal assignment (HiGHS
MILP) and today's greedy balance, and prints objective / bound, whether the optimum is proven,
the seconds, and the greedy objective as a share of the optimum.
Run: `python -m bench.assignment_bench` (`--general` also solves the model with the balance
level left free, as the solver does only when the fixed level cannot hold).
"""

from __future__ import annotations

import random
import sys
import time

from app.membership.assignment import (
    ApplicationIn,
    Interest,
    Problem,
    ReviewerIn,
    eligible_reviewers,
    greedy,
    solve,
    value,
)

SECTORS = ("industrial_it", "manufacturing", "energy", "medtech", "agro", "logistics", "ai")
TOPICS = tuple(f"topic{n}" for n in range(30))


def generate(
    *,
    applications: int = 300,
    reviewers: int = 40,
    per_application: int = 3,
    seed: int = 22,
    bid_share: float = 0.3,
    conflict_share: float = 0.04,
) -> Problem:
    rng = random.Random(seed)
    people = tuple(
        ReviewerIn(
            id=n + 1,
            sectors=frozenset(rng.sample(SECTORS, rng.randint(1, 2))),
            topics=frozenset(rng.sample(TOPICS, rng.randint(2, 6))),
            open_reviews=rng.choice((0, 0, 0, 1, 2)),
        )
        for n in range(reviewers)
    )
    items = []
    for n in range(applications):
        bids = {}
        blocked = set()
        for person in people:
            if rng.random() < conflict_share:
                blocked.add(person.id)
            elif rng.random() < bid_share:
                bids[person.id] = rng.choice(
                    (Interest.eager, Interest.willing, Interest.willing, Interest.unable)
                )
        items.append(
            ApplicationIn(
                id=1000 + n,
                needed=per_application,
                sector=rng.choice(SECTORS),
                topics=frozenset(rng.sample(TOPICS, rng.randint(1, 4))),
                blocked=frozenset(blocked),
                bids=bids,
            )
        )
    return Problem(tuple(items), people)


def _spread(problem: Problem, pairs: tuple[object, ...]) -> int:
    added: dict[int, int] = {}
    for pair in pairs:
        added[pair.reviewer_id] = added.get(pair.reviewer_id, 0) + 1  # type: ignore[attr-defined]
    loads = [r.open_reviews + added.get(r.id, 0) for r in eligible_reviewers(problem)]
    return max(loads) - min(loads)


def main() -> None:
    problem = generate()
    print(
        f"{len(problem.applications)} applications x {len(problem.reviewers)} reviewers,"
        f" {problem.applications[0].needed} per application"
    )
    solution = solve(problem, time_limit=60.0)
    print(
        f"optimal (HiGHS MILP): objective {solution.objective:g} / bound {solution.bound:g};"
        f" optimal {'yes' if solution.optimal else 'no'}; {solution.seconds:.2f} s;"
        f" {len(solution.pairs)} pairs, {len(solution.unfilled)} unfilled,"
        f" load spread {_spread(problem, solution.pairs)}"
    )
    if "--general" in sys.argv[1:]:
        general = solve(problem, time_limit=60.0, fix_high=False)
        print(
            f"general model (level free): objective {general.objective:g} / bound"
            f" {general.bound:g}; optimal {'yes' if general.optimal else 'no'};"
            f" {general.seconds:.2f} s"
        )
    started = time.perf_counter()
    pairs = greedy(problem)
    seconds = time.perf_counter() - started
    greedy_value = value(problem, pairs)
    share = 100 * greedy_value / solution.objective if solution.objective else 0.0
    print(
        f"greedy balance (today): objective {greedy_value:g} = {share:.1f} % of the optimum;"
        f" {seconds:.3f} s; load spread {_spread(problem, pairs)}"
    )


if __name__ == "__main__":
    main()
