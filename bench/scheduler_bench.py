"""Pitch-day scheduler benchmark: 1,000 wishes × 20 slots × 50 tables.

Prints placed / upper bound and seconds for the greedy pass alone and for the exact solver.
Run: `.venv/bin/python -m bench.scheduler_bench`.
"""

from __future__ import annotations

import random
import time

from app.meetings.scheduler import Problem, Wish, solve, upper_bound, validate


def generate(
    *,
    wishes: int = 1000,
    slots: int = 20,
    tables: int = 50,
    startups: int = 150,
    investors: int = 60,
    seed: int = 7,
) -> Problem:
    rng = random.Random(seed)
    slot_ids = tuple(range(slots))
    availability = {}
    for name in [f"s{i}" for i in range(startups)] + [f"i{i}" for i in range(investors)]:
        keep = rng.randint(int(slots * 0.6), slots)
        availability[name] = frozenset(rng.sample(slot_ids, keep))
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < wishes:
        pairs.add((f"s{rng.randrange(startups)}", f"i{rng.randrange(investors)}"))
    return Problem(
        slots=slot_ids,
        tables=tables,
        availability=availability,
        wishes=tuple(
            Wish(n, a, b, rng.choice((1, 1, 2, 3))) for n, (a, b) in enumerate(sorted(pairs))
        ),
    )


def main() -> None:
    problem = generate()
    started = time.perf_counter()
    bound = upper_bound(problem)
    bound_seconds = time.perf_counter() - started
    print(f"1000 wishes x 20 slots x 50 tables; upper bound {bound} ({bound_seconds:.2f} s)")
    for method in ("greedy", "auto"):
        schedule = solve(problem, method=method, time_limit=4.5)  # type: ignore[arg-type]
        assert validate(problem, schedule) == []
        label = "greedy" if method == "greedy" else f"exact ({schedule.method})"
        print(
            f"{label:>22}: placed {schedule.placed} / upper bound {schedule.upper_bound}"
            f" = {schedule.placed / schedule.upper_bound:.4f}; weight {schedule.weight};"
            f" {schedule.seconds:.2f} s"
        )


if __name__ == "__main__":
    main()
