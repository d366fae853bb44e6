"""The main pages and JSON lists run a fixed number of SQL statements (at most 10), whatever the
amount of data: the same count on a small data set and on one 2.5 times larger (no N+1)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from app.db import Database
from bench.generate import generate
from bench.routes import measure_routes, route_ids
from tests.databases import empty_all_tables


def _counts(app: FastAPI, database: Database, scale: float) -> dict[str, tuple[int, int, int]]:
    empty_all_tables(database)
    generate(database.url, scale=scale, quiet=True)
    with database.session_scope(write=False) as session:
        ids = route_ids(session)
    return {
        m.route.name: (m.status, m.statements, m.route.budget)
        for m in measure_routes(app, database.engine, ids, repeat=0)
    }


@pytest.mark.usefixtures("db")
def test_main_pages_and_lists_run_a_fixed_number_of_statements(
    app: FastAPI, database: Database
) -> None:
    small = _counts(app, database, 0.02)
    large = _counts(app, database, 0.05)

    assert {name: status for name, (status, _, _) in large.items() if status != 200} == {}
    over = {name: n for name, (_, n, budget) in large.items() if n > budget}
    assert over == {}, repr(sorted(over.items()))
    growing = {
        name: (small[name][1], large[name][1]) for name in large if small[name][1] != large[name][1]
    }
    assert growing == {}
