from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.meetings.scheduler import Placement, Problem, Wish, solve, upper_bound, validate


@st.composite
def problems(draw) -> Problem:
    slots = tuple(range(draw(st.integers(1, 5))))
    tables = draw(st.integers(1, 4))
    people = [f"p{i}" for i in range(draw(st.integers(2, 8)))]
    availability = {
        p: frozenset(draw(st.sets(st.sampled_from(slots), max_size=len(slots)))) for p in people
    }
    pairs = draw(
        st.sets(
            st.tuples(st.sampled_from(people), st.sampled_from(people)).filter(
                lambda t: t[0] < t[1]
            ),
            max_size=15,
        )
    )
    wishes = tuple(Wish(n, a, b, draw(st.integers(1, 3))) for n, (a, b) in enumerate(sorted(pairs)))
    return Problem(slots=slots, tables=tables, availability=availability, wishes=wishes)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_every_schedule_is_valid_and_within_the_upper_bound(problem: Problem) -> None:
    for method in ("greedy", "auto"):
        schedule = solve(problem, method=method, time_limit=2)
        assert validate(problem, schedule) == []
        assert schedule.placed <= schedule.upper_bound
        placed = {p.wish_id for p in schedule.placements}
        assert placed | {u.wish_id for u in schedule.unplaced} == {w.id for w in problem.wishes}
        assert not placed & {u.wish_id for u in schedule.unplaced}


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.data())
def test_complete_feasible_demand_is_placed_entirely(slots: int, tables: int, data) -> None:
    left = data.draw(st.integers(1, slots))
    right = data.draw(st.integers(1, slots))
    if left * right > slots * tables:
        right = max(1, (slots * tables) // left)
        if right > slots or left * right > slots * tables:
            return
    everyone = frozenset(range(slots))
    availability = {f"m{i}": everyone for i in range(left)} | {
        f"i{j}": everyone for j in range(right)
    }
    wishes = tuple(
        Wish(n, f"m{i}", f"i{j}", 1)
        for n, (i, j) in enumerate((i, j) for i in range(left) for j in range(right))
    )
    problem = Problem(
        slots=tuple(range(slots)), tables=tables, availability=availability, wishes=wishes
    )
    schedule = solve(problem, time_limit=5)
    assert validate(problem, schedule) == []
    assert schedule.upper_bound == len(wishes)
    assert schedule.placed == schedule.upper_bound


def test_locked_meetings_are_kept_and_unplaced_wishes_name_the_bottleneck() -> None:
    problem = Problem(
        slots=(0, 1),
        tables=1,
        availability={
            "a": frozenset({0}),
            "b": frozenset({0, 1}),
            "c": frozenset({0, 1}),
            "d": frozenset(),
        },
        wishes=(Wish(0, "b", "c", 1), Wish(1, "a", "b", 5), Wish(2, "a", "d", 1)),
        locked=(Placement(0, 0, 1),),
    )
    schedule = solve(problem)
    assert validate(problem, schedule) == []
    assert schedule.placements == [Placement(0, 0, 1)]
    reasons = {u.wish_id: (u.reason, u.participant, u.slot) for u in schedule.unplaced}
    assert reasons[2] == ("no_common_slot", None, None)
    assert reasons[1][0] in {"participant_busy", "slot_full"}
    assert upper_bound(problem) == 1
