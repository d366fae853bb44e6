"""A database per test process, cloned from a template the migrations build once, and emptied
between tests.

The template is the database `TEST_DATABASE_URL` names (PostgreSQL) or a file in the run's
temporary folder (SQLite). Each pytest-xdist worker (`gw0`, `gw1`, ...; `main` without xdist)
gets its own copy: `CREATE DATABASE <template>_gw0 TEMPLATE <template>` on PostgreSQL, a page by
page copy of the file on SQLite. The first worker to need its copy builds the template; the
others wait on a file lock.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from app.db import Base, Database


def worker_url(template_url: str, worker: str) -> str:
    """The URL of the worker's own database, next to the template."""
    url = make_url(template_url)
    if url.get_backend_name() == "sqlite":
        template = Path(url.database or "")
        return _render(url.set(database=str(template.with_name(f"{template.stem}-{worker}.db"))))
    return _render(url.set(database=f"{url.database}_{worker}"))


def create_worker_database(template_url: str, url: str, lock_dir: Path) -> None:
    """Build the template if no process did yet, then copy it to `url` (replacing any copy an
    interrupted run left behind)."""
    with _locked(lock_dir / "template.lock"):
        built = lock_dir / "template.built"
        if not built.exists():
            from app import migrations

            migrations.upgrade(template_url)
            built.touch()
        if make_url(url).get_backend_name() == "sqlite":
            _copy_sqlite(make_url(template_url), make_url(url))
        else:
            template = make_url(template_url).database
            _drop_postgres(url)
            _on_server(url, f'CREATE DATABASE "{make_url(url).database}" TEMPLATE "{template}"')


def drop_worker_database(url: str) -> None:
    if make_url(url).get_backend_name() == "sqlite":
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    else:
        _drop_postgres(url)


def empty_all_tables(db: Database) -> None:
    """Delete every row, children first, and restart the id sequences: a few milliseconds, where
    PostgreSQL's TRUNCATE of every table takes a tenth of a second. Foreign keys are not checked
    while everything goes (SQLite's pragma, PostgreSQL's replica role)."""
    deletes = "; ".join(
        f'DELETE FROM "{table.name}"' for table in reversed(Base.metadata.sorted_tables)
    )
    with db.engine.connect() as connection:
        if db.is_sqlite:
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                raw.executescript(f"BEGIN; {deletes}; {_fts_rebuilds(raw)} COMMIT;")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
        else:
            restarts = "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
            with connection.begin():
                connection.exec_driver_sql(
                    f"SET LOCAL session_replication_role = replica; {deletes}; {restarts}"
                )


def _fts_rebuilds(raw: sqlite3.Connection) -> str:
    """A full-text index keeps the pages of deleted rows until rebuilt: rebuilt once emptied, it
    stays small (so that, say, a backup of the emptied database holds nothing left over)."""
    names = [
        name
        for (name,) in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        )
    ]
    return "".join(f'INSERT INTO "{n}" ("{n}") VALUES (\'rebuild\'); ' for n in names)


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _copy_sqlite(template: URL, copy: URL) -> None:
    drop_worker_database(_render(copy))
    with (
        closing(sqlite3.connect(template.database or "")) as source,
        closing(sqlite3.connect(copy.database or "")) as target,
    ):
        source.backup(target)


def _drop_postgres(url: str) -> None:
    _on_server(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _on_server(url: str, statement: str) -> None:
    """Run a statement that must not be in a transaction, from the server's `postgres` database."""
    engine = create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
