from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from app.db import Database
from tests.databases import empty_all_tables
from tests.factories import Factory
from tests.security.fuzzing import ROLES, FuzzUser
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(database: Database, app: FastAPI) -> Iterator[World]:
    """Built once per module and emptied afterwards; tests using it must not use `db`."""
    empty_all_tables(database)
    built = build_world(database, app)
    yield built
    anonymous = built.principals["anonymous"]
    anonymous.api.__exit__(None, None, None)
    anonymous.browser.__exit__(None, None, None)
    built.factory.close()
    empty_all_tables(database)


@pytest.fixture(scope="module")
def fuzz_users(database: Database, app: FastAPI) -> Iterator[dict[str, FuzzUser]]:
    empty_all_tables(database)
    factory = Factory(database, app)
    yield {name: FuzzUser(database, factory, roles) for name, roles in ROLES.items()}
    factory.close()
    empty_all_tables(database)
