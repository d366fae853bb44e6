"""Test setup: a real database built by the migrations, emptied after every test.

SQLite by default (a file in a temporary folder). Set `TEST_DATABASE_URL` to an empty PostgreSQL
database to run the same suite there (`make test-pg` and `.ci/run` create and drop one).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

_TMP = Path(tempfile.mkdtemp(prefix="portal-tests-"))
os.environ["PORTAL_VAR_DIR"] = str(_TMP / "var")
os.environ["PORTAL_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["PORTAL_ARGON2_TIME_COST"] = "1"
os.environ["PORTAL_ARGON2_MEMORY_KIB"] = "1024"
os.environ["PORTAL_BASE_URL"] = "http://testserver"
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
for key in ("PORTAL_SMTP_HOST", "PORTAL_TRUSTED_PROXIES", "PORTAL_REGIONS"):
    os.environ.pop(key, None)

from app import migrations  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import Base, Database, set_database  # noqa: E402
from app.domains import load_models  # noqa: E402
from app.main import create_app  # noqa: E402
from tests.factories import Factory  # noqa: E402


@pytest.fixture(scope="session")
def database() -> Iterator[Database]:
    get_settings.cache_clear()
    url = get_settings().database_url
    migrations.upgrade(url)
    load_models()
    db = Database(url)
    set_database(db)
    yield db
    set_database(None)
    migrations.downgrade(url)


def _empty_all_tables(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if db.is_sqlite:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
        else:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database
    _empty_all_tables(database)


@pytest.fixture(scope="session")
def app(database: Database) -> FastAPI:
    return create_app()


@pytest.fixture
def client(app: FastAPI, db: Database) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def factory(db: Database, app: FastAPI) -> Factory:
    return Factory(db, app)


def pytest_report_header() -> str:
    url = os.environ["DATABASE_URL"]
    return f"database: {url.rsplit('@', 1)[-1] if url.startswith('postgresql') else 'sqlite'}"
