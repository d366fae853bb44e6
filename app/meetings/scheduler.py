"""Pitch-day scheduler: place wished meetings into (slot, table) cells.

A pure module: typed dataclasses in, typed dataclasses out, no database. The rules of a valid
schedule: each participant has at most one meeting per slot and only in slots they marked
available; a slot holds at most `tables` meetings; each wish is placed at most once; locked
placements are kept as they are. The objective is the total priority weight of placed wishes.

The exact solver is a MILP solved by HiGHS (`scipy.optimize.milp`) under a time limit; a greedy
pass always runs first and is kept when the solver fails or does worse. `upper_bound` is a
max-flow relaxation (`scipy.sparse.csgraph.maximum_flow`) on the number of placeable wishes, so
`placed <= upper_bound` always holds and the gap says how far from optimal a schedule might be.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

# NumPy and SciPy are imported where the solver runs: they take about 0.4 s to load, which every
# process that starts the portal would pay without ever scheduling.
if TYPE_CHECKING:
    import numpy as np

Participant = Hashable
_DISP = False


@dataclass(frozen=True)
class Wish:
    id: int
    a: Participant
    b: Participant
    weight: int = 1


@dataclass(frozen=True)
class Placement:
    wish_id: int
    slot: int
    table: int


@dataclass(frozen=True)
class Problem:
    slots: tuple[int, ...]
    tables: int
    availability: dict[Participant, frozenset[int]]
    wishes: tuple[Wish, ...]
    locked: tuple[Placement, ...] = ()


UnplacedReason = Literal[
    "unknown_participant", "no_common_slot", "participant_busy", "slot_full", "solver_choice"
]


@dataclass(frozen=True)
class Unplaced:
    wish_id: int
    reason: UnplacedReason
    participant: Participant | None = None
    slot: int | None = None


@dataclass
class Schedule:
    placements: list[Placement]
    unplaced: list[Unplaced]
    upper_bound: int
    method: Literal["exact", "greedy"]
    seconds: float
    weight: int = 0
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return len(self.placements)


# --- helpers ---------------------------------------------------------------------------------


class _State:
    """Occupancy of cells by the locked placements, and the wishes still to place."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.by_id = {w.id: w for w in problem.wishes}
        self.busy: set[tuple[Participant, int]] = set()
        self.load: dict[int, int] = defaultdict(int)
        self.tables_used: dict[int, set[int]] = defaultdict(set)
        locked_ids = set()
        for p in problem.locked:
            wish = self.by_id.get(p.wish_id)
            if wish is None:
                continue
            locked_ids.add(p.wish_id)
            self.busy.add((wish.a, p.slot))
            self.busy.add((wish.b, p.slot))
            self.load[p.slot] += 1
            self.tables_used[p.slot].add(p.table)
        self.locked_ids = locked_ids
        self.open = [w for w in problem.wishes if w.id not in locked_ids]

    def common(self, wish: Wish) -> list[int]:
        avail = self.problem.availability
        if wish.a not in avail or wish.b not in avail or wish.a == wish.b:
            return []
        both = avail[wish.a] & avail[wish.b]
        return [s for s in self.problem.slots if s in both]

    def free(self, wish: Wish, slot: int) -> bool:
        return (
            (wish.a, slot) not in self.busy
            and (wish.b, slot) not in self.busy
            and self.load[slot] < self.problem.tables
        )

    def take(self, wish: Wish, slot: int) -> None:
        self.busy.add((wish.a, slot))
        self.busy.add((wish.b, slot))
        self.load[slot] += 1


def _assign_tables(state: _State, chosen: Iterable[tuple[Wish, int]]) -> list[Placement]:
    placements = list(state.problem.locked)
    used = {slot: set(tables) for slot, tables in state.tables_used.items()}
    for wish, slot in chosen:
        taken = used.setdefault(slot, set())
        table = next(t for t in range(1, state.problem.tables + 1) if t not in taken)
        taken.add(table)
        placements.append(Placement(wish.id, slot, table))
    return placements


def _reasons(
    state: _State,
    placed_ids: set[int],
    final_busy: set[tuple[Participant, int]],
    final_load: dict[int, int],
) -> list[Unplaced]:
    """Name the bottleneck of each unplaced wish: the participant or slot that blocked it most."""
    out: list[Unplaced] = []
    avail = state.problem.availability
    for wish in state.open:
        if wish.id in placed_ids:
            continue
        if wish.a not in avail or wish.b not in avail:
            who = wish.a if wish.a not in avail else wish.b
            out.append(Unplaced(wish.id, "unknown_participant", participant=who))
            continue
        common = state.common(wish)
        if not common:
            out.append(Unplaced(wish.id, "no_common_slot"))
            continue
        blockers: dict[tuple[str, Participant | int], int] = defaultdict(int)
        for slot in common:
            if (wish.a, slot) in final_busy:
                blockers[("p", wish.a)] += 1
            if (wish.b, slot) in final_busy:
                blockers[("p", wish.b)] += 1
            if final_load.get(slot, 0) >= state.problem.tables:
                blockers[("s", slot)] += 1
        if not blockers:
            out.append(Unplaced(wish.id, "solver_choice"))
            continue
        (kind, who), _count = max(blockers.items(), key=lambda item: item[1])
        if kind == "p":
            out.append(Unplaced(wish.id, "participant_busy", participant=who))
        else:
            assert isinstance(who, int)
            out.append(Unplaced(wish.id, "slot_full", slot=who))
    return out


# --- upper bound -----------------------------------------------------------------------------


def _flow_bound(state: _State, orient: int) -> int:
    """Max flow source → wish (1) → (endpoint, slot) (1) → slot (remaining tables) → sink.

    Every valid schedule is such a flow (each wish keeps only one endpoint's per-slot limit), so
    its value bounds the number of placeable open wishes.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    nodes: dict[object, int] = {"s": 0, "t": 1}

    def node(key: object) -> int:
        if key not in nodes:
            nodes[key] = len(nodes)
        return nodes[key]

    edges: dict[tuple[int, int], int] = {}
    for wish in state.open:
        common = [s for s in state.common(wish) if state.free(wish, s)]
        if not common:
            continue
        w = node(("w", wish.id))
        edges[(0, w)] = 1
        if orient == 0:
            end = wish.a
        elif orient == 1:
            end = wish.b
        else:
            end = min((wish.a, wish.b), key=lambda p: len(state.problem.availability[p]))
        for slot in common:
            ps = node(("p", end, slot))
            edges[(w, ps)] = 1
            sl = node(("slot", slot))
            edges[(ps, sl)] = 1
            edges[(sl, 1)] = state.problem.tables - state.load[slot]
    if not edges:
        return 0
    rows, cols, caps = zip(*((u, v, c) for (u, v), c in edges.items()), strict=True)
    n = len(nodes)
    graph = csr_matrix(
        (np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))), shape=(n, n)
    )
    return int(maximum_flow(graph, 0, 1).flow_value)


def upper_bound(problem: Problem) -> int:
    state = _State(problem)
    return len(state.locked_ids) + min(_flow_bound(state, o) for o in (0, 1, 2))


# --- greedy ----------------------------------------------------------------------------------


def _greedy(state: _State) -> list[tuple[Wish, int]]:
    """Most valuable, then most constrained wishes first; each into its least loaded free slot."""
    options = {w.id: state.common(w) for w in state.open}
    degree: dict[Participant, int] = defaultdict(int)
    for w in state.open:
        degree[w.a] += 1
        degree[w.b] += 1
    order = sorted(
        state.open,
        key=lambda w: (-w.weight, len(options[w.id]), -(degree[w.a] + degree[w.b]), w.id),
    )
    chosen: list[tuple[Wish, int]] = []
    for wish in order:
        free = [s for s in options[wish.id] if state.free(wish, s)]
        if not free:
            continue
        slot = min(free, key=lambda s: (state.load[s], s))
        state.take(wish, slot)
        chosen.append((wish, slot))
    return chosen


# --- exact -----------------------------------------------------------------------------------


def _exact(state: _State, time_limit: float) -> list[tuple[Wish, int]] | None:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    variables: list[tuple[Wish, int]] = []
    for wish in state.open:
        for slot in state.common(wish):
            if state.free(wish, slot):
                variables.append((wish, slot))
    if not variables:
        return []
    n = len(variables)
    rows: list[int] = []
    cols: list[int] = []
    upper: list[float] = []
    row_of: dict[object, int] = {}

    def row(key: object, cap: float) -> int:
        if key not in row_of:
            row_of[key] = len(upper)
            upper.append(cap)
        return row_of[key]

    for j, (wish, slot) in enumerate(variables):
        for key, cap in (
            (("w", wish.id), 1.0),
            (("p", wish.a, slot), 1.0),
            (("p", wish.b, slot), 1.0),
            (("s", slot), float(state.problem.tables - state.load[slot])),
        ):
            rows.append(row(key, cap))
            cols.append(j)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(upper), n)).tocsr()
    # A tiny bonus for each placed wish breaks ties in favour of placing more of them.
    cost = -np.array([w.weight + 1e-3 for w, _ in variables], dtype=float)
    constraints = LinearConstraint(matrix, -np.inf, np.array(upper))
    deadline = time.perf_counter() + time_limit
    # The LP relaxation is nearly integral for this structure: round it, complete the rounding
    # greedily and stop when it reaches the LP bound (then it is optimal); else branch and bound.
    relaxed = milp(
        cost,
        constraints=constraints,
        bounds=Bounds(0, 1),
        options={"time_limit": max(time_limit, 0.1), "disp": _DISP},
    )
    rounded: list[tuple[Wish, int]] | None = None
    if relaxed.x is not None:
        rounded = _round(state, variables, relaxed.x)
        if sum(w.weight + 1e-3 for w, _ in rounded) >= -relaxed.fun - 1e-6 - 1e-3:
            return rounded
    time_limit = deadline - time.perf_counter()
    if time_limit <= 0.05:
        return rounded
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"time_limit": max(time_limit, 0.1), "disp": _DISP, "mip_rel_gap": 2e-3},
    )
    if result.x is None:
        return rounded
    exact = [variables[j] for j in np.flatnonzero(result.x > 0.5)]
    if rounded is not None and _weight(rounded) > _weight(exact):
        return rounded
    return exact


def _round(
    state: _State, variables: list[tuple[Wish, int]], x: np.ndarray
) -> list[tuple[Wish, int]]:
    import numpy as np

    trial = _State(state.problem)
    chosen: list[tuple[Wish, int]] = []
    done: set[int] = set()
    for j in np.argsort(-x, kind="stable"):
        wish, slot = variables[j]
        if x[j] < 0.5:
            break
        if wish.id not in done and trial.free(wish, slot):
            trial.take(wish, slot)
            chosen.append((wish, slot))
            done.add(wish.id)
    trial.open = [w for w in trial.open if w.id not in done]
    return chosen + _greedy(trial)


# --- entry point -----------------------------------------------------------------------------


def _weight(chosen: list[tuple[Wish, int]]) -> tuple[int, int]:
    return sum(w.weight for w, _ in chosen), len(chosen)


def solve(
    problem: Problem, *, time_limit: float = 5.0, method: Literal["auto", "greedy"] = "auto"
) -> Schedule:
    """Place as much wished weight as possible; see the module docstring for the rules."""
    started = time.perf_counter()
    greedy_state = _State(problem)
    greedy = _greedy(greedy_state)
    best, best_state, used = greedy, greedy_state, "greedy"
    stats = {"greedy_seconds": time.perf_counter() - started, "greedy_placed": len(greedy)}
    if method == "auto":
        remaining = time_limit - (time.perf_counter() - started)
        exact_state = _State(problem)
        exact = _exact(exact_state, remaining)
        if exact is not None and _weight(exact) > _weight(greedy):
            for wish, slot in exact:
                exact_state.take(wish, slot)
            best, best_state, used = exact, exact_state, "exact"
        elif exact is not None:
            used = "exact" if _weight(exact) == _weight(greedy) else "greedy"
    placements = _assign_tables(best_state, best)
    placed_ids = {p.wish_id for p in placements}
    unplaced = _reasons(best_state, placed_ids, best_state.busy, best_state.load)
    bound = upper_bound(problem)
    weight = sum(best_state.by_id[p.wish_id].weight for p in placements)
    return Schedule(
        placements=placements,
        unplaced=unplaced,
        upper_bound=bound,
        method=used,  # type: ignore[arg-type]
        seconds=time.perf_counter() - started,
        weight=weight,
        stats=stats,
    )


def validate(problem: Problem, schedule: Schedule) -> list[str]:
    """Every rule a schedule must keep; an empty list means valid (used by tests and the bench)."""
    errors: list[str] = []
    by_id = {w.id: w for w in problem.wishes}
    seen_wish: set[int] = set()
    cells: set[tuple[int, int]] = set()
    busy: set[tuple[Participant, int]] = set()
    load: dict[int, int] = defaultdict(int)
    for p in schedule.placements:
        wish = by_id.get(p.wish_id)
        if wish is None:
            errors.append(f"unknown wish {p.wish_id}")
            continue
        if p.wish_id in seen_wish:
            errors.append(f"wish {p.wish_id} placed twice")
        seen_wish.add(p.wish_id)
        if p.slot not in problem.slots or not 1 <= p.table <= problem.tables:
            errors.append(f"wish {p.wish_id} outside the grid")
        if (p.slot, p.table) in cells:
            errors.append(f"cell {p.slot}/{p.table} used twice")
        cells.add((p.slot, p.table))
        for who in (wish.a, wish.b):
            if p.slot not in problem.availability.get(who, frozenset()):
                errors.append(f"{who} not available in slot {p.slot}")
            if (who, p.slot) in busy:
                errors.append(f"{who} double-booked in slot {p.slot}")
            busy.add((who, p.slot))
        load[p.slot] += 1
    for slot, count in load.items():
        if count > problem.tables:
            errors.append(f"slot {slot} over capacity")
    for locked in problem.locked:
        if locked not in schedule.placements:
            errors.append(f"locked placement {locked} lost")
    return errors
