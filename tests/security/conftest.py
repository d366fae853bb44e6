from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from app.db import Database
from tests.security.world import REPORT, World, build_world, empty_all_tables


@pytest.fixture(scope="module")
def world(database: Database, app: FastAPI) -> Iterator[World]:
    """Built once per module and emptied afterwards; tests using it must not use `db`."""
    empty_all_tables(database)
    built = build_world(database, app)
    yield built
    for principal in built.principals.values():
        principal.api.__exit__(None, None, None)
        principal.browser.__exit__(None, None, None)
    empty_all_tables(database)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        figures = ", ".join(f"{key}: {value}" for key, value in sorted(REPORT.items()))
        terminalreporter.write_line(f"security sweep: {figures}")
