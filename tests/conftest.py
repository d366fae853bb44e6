"""Test setup: a real database built by the migrations, one per pytest-xdist worker, emptied
after every test (tests/databases.py), with its upload and mail folders.

SQLite by default (files in a temporary folder). Set `TEST_DATABASE_URL` to an empty PostgreSQL
database to run the same suite there (`make test-pg` and `.ci/run` create and drop one); each
worker works in its own copy of it, `<name>_gw0`, `<name>_gw1`, ..., dropped at the end.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The controller creates the run's folder; its xdist workers inherit it through the environment.
_OWNS_TMP = "PORTAL_TEST_TMP" not in os.environ
_TMP = Path(os.environ.get("PORTAL_TEST_TMP") or tempfile.mkdtemp(prefix="portal-tests-"))
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_TEMPLATE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'template.db'}"
os.environ["PORTAL_TEST_TMP"] = str(_TMP)
os.environ["PORTAL_VAR_DIR"] = str(_TMP / f"var-{_WORKER}")
os.environ["PORTAL_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["PORTAL_ARGON2_TIME_COST"] = "1"
os.environ["PORTAL_ARGON2_MEMORY_KIB"] = "64"  # cheap hashes (argon2id needs 8 KiB per lane)
os.environ["PORTAL_ARGON2_PARALLELISM"] = "1"  # and no thread started per lane
os.environ["PORTAL_BASE_URL"] = "http://testserver"
for key in ("PORTAL_SMTP_HOST", "PORTAL_TRUSTED_PROXIES", "PORTAL_REGIONS"):
    os.environ.pop(key, None)

from tests.databases import (  # noqa: E402
    create_worker_database,
    drop_worker_database,
    empty_all_tables,
    worker_url,
)

os.environ["DATABASE_URL"] = worker_url(_TEMPLATE_URL, _WORKER)

from app.config import get_settings  # noqa: E402
from app.db import Database, set_database  # noqa: E402
from tests.security.report import REPORT  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI

    from tests.client import TestClient
    from tests.factories import Factory

# The app and the factories are imported by the fixtures, in the xdist workers: the controller,
# which starts the workers only once it has read this file, never needs them.


@pytest.fixture(scope="session")
def database() -> Iterator[Database]:
    get_settings.cache_clear()
    url = get_settings().database_url
    create_worker_database(_TEMPLATE_URL, url, _TMP)
    from app.domains import load_models

    load_models()
    db = Database(url)
    set_database(db)
    yield db
    set_database(None)
    db.dispose()
    drop_worker_database(url)


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database
    empty_all_tables(database)
    settings = get_settings()
    for folder in (settings.upload_dir, settings.mail_dir):
        _empty(folder)


def _empty(folder: Path) -> None:
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


@pytest.fixture(scope="session")
def app(database: Database) -> Iterator[FastAPI]:
    from tests.app_under_test import app_under_test
    from tests.client import one_event_loop

    with one_event_loop():
        yield app_under_test()


@pytest.fixture
def client(app: FastAPI, db: Database) -> Iterator[TestClient]:
    from tests.client import TestClient

    test_client = TestClient(app, base_url="http://testserver")
    yield test_client
    test_client.close()


@pytest.fixture
def factory(db: Database, app: FastAPI) -> Iterator[Factory]:
    from tests.factories import Factory

    made = Factory(db, app)
    yield made
    made.close()


# Modules whose tests take seconds each. They start first, so that no xdist worker is still busy
# with one at the end while the others idle.
_LONGEST_FIRST = (
    "tests/security/test_access_control.py",
    "tests/test_query_budget.py",
    "tests/security/test_crash_safety.py",
    "tests/security/test_stateful.py",
    "tests/test_burst.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in _LONGEST_FIRST)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The modules, the app and its schema, all loaded by now, live until the end: the garbage
    collector stops walking them, and runs less often. It took about 5 s of each worker's run
    before, 2.5 s now."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWNS_TMP:
        shutil.rmtree(_TMP, ignore_errors=True)


def _exit_at_once() -> None:
    """An xdist worker has handed over its results by the time Python exits; freeing its
    objects one by one kept the run waiting 2-3 s more."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if _WORKER != "main":
    atexit.register(_exit_at_once)  # after the handlers registered later, the app's among them


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its security sweep figures to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["security_report"] = dict(REPORT)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    for key, value in getattr(node, "workeroutput", {}).get("security_report", {}).items():
        REPORT[key] = REPORT.get(key, 0) + value


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT and not hasattr(terminalreporter.config, "workeroutput"):
        figures = ", ".join(f"{key}: {value}" for key, value in sorted(REPORT.items()))
        terminalreporter.write_line(f"security sweep: {figures}")


def pytest_report_header() -> str:
    url = _TEMPLATE_URL
    where = url.rsplit("@", 1)[-1] if url.startswith("postgresql") else "sqlite"
    return f"database: {where}, one copy per worker"
