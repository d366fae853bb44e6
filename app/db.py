"""Engine, sessions and the declarative base.

One transaction per request: `get_session` commits when the route returns and rolls back on any
error. Services only flush. On SQLite, write transactions start with `BEGIN IMMEDIATE` so that
concurrent writers queue on the database lock instead of failing on a stale snapshot.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import anyio
import anyio.to_thread
import psycopg
import sqlalchemy.exc
from fastapi import Request
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    cast,
    create_engine,
    event,
    exists,
    false,
    func,
    select,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.config import get_settings
from app.metrics import POOL_CHECKED_OUT

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
logger = logging.getLogger("app.db")


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_postgresql(session: Session) -> bool:
    """Whether the session talks to PostgreSQL; the other database the portal runs on is SQLite."""
    return session.get_bind().dialect.name == "postgresql"


def json_list_has_any(
    session: Session, column: ColumnElement[Any] | InstrumentedAttribute[Any], values: Sequence[str]
) -> ColumnElement[bool]:
    """Whether the JSON list in `column` holds any of `values`: the `?|` operator of PostgreSQL's
    jsonb, `json_each` on SQLite. NULL (no list) holds nothing."""
    if not values:
        return false()
    if is_postgresql(session):
        holds: ColumnElement[bool] = cast(column, postgresql.JSONB).has_any(
            postgresql.array(values)
        )
        return holds
    element = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(element).where(element.c.value.in_(values)))


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads straight from the operating system's file cache, and 16 MB of pages per
        # connection (the default 2 MB is soon outgrown: lookups then reread pages).
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.execute("PRAGMA cache_size=-16000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


POOL_TIMEOUT_SECONDS = 10
# Compiled SQL kept per engine. SQLAlchemy keeps 500 by default; the portal's routes between them
# run more distinct statements than that, and each one evicted is compiled again when next used.
QUERY_CACHE_SIZE = 3000


def build_engine(
    url: str, *, connections: int = 5, lock_timeout_ms: int = 0, statement_timeout_ms: int = 0
) -> Engine:
    """An engine with a fixed pool of `connections` (no overflow: the admission gates keep the
    requests at work within it, and a caller who still finds it empty fails after a few seconds
    rather than queueing forever). Non-zero timeouts bound how long a statement may wait for a
    lock (SQLite's busy timeout, else 30 s) and, on PostgreSQL, run, so one stuck transaction
    cannot hold every connection."""
    engine = _create_engine(url, connections, lock_timeout_ms, statement_timeout_ms)
    event.listen(engine, "checkout", lambda *_: POOL_CHECKED_OUT.inc())
    event.listen(engine, "checkin", lambda *_: POOL_CHECKED_OUT.dec())
    return engine


def _create_engine(
    url: str, connections: int, lock_timeout_ms: int, statement_timeout_ms: int
) -> Engine:
    common: dict[str, Any] = {
        "pool_size": connections,
        "max_overflow": 0,
        "pool_timeout": POOL_TIMEOUT_SECONDS,
        "query_cache_size": QUERY_CACHE_SIZE,
    }
    if url.startswith("sqlite"):
        busy_timeout_ms = lock_timeout_ms or 30_000
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **common,
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    options = []
    if lock_timeout_ms:
        options.append(f"-c lock_timeout={lock_timeout_ms}")
    if statement_timeout_ms:
        options.append(f"-c statement_timeout={statement_timeout_ms}")
    connect_args = {"options": " ".join(options)} if options else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **common)


_SQLITE_BUSY = ("database is locked", "database table is locked")


def is_transient_error(exc: BaseException) -> bool:
    """A database that is busy or away for a moment (no connection in time, a lock not granted
    in time, a statement cancelled, the server unreachable): worth a retry, not a 500."""
    if isinstance(exc, sqlalchemy.exc.TimeoutError):
        return True
    if not isinstance(exc, sqlalchemy.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    original = exc.orig
    if isinstance(original, sqlite3.OperationalError):
        return str(original).startswith(_SQLITE_BUSY)
    # Lock and statement timeouts, shutdowns, lost or refused connections, too many clients.
    return isinstance(original, psycopg.OperationalError)


class Database:
    """The engine and two session factories: one for reads, one that writes."""

    def __init__(self, url: str) -> None:
        settings = get_settings()
        self.url = url
        self.engine = build_engine(
            url,
            connections=settings.request_connections,
            lock_timeout_ms=settings.db_lock_timeout_ms,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer = self.engine.execution_options(sqlite_immediate=True)
        self.read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(bind=writer, expire_on_commit=False)

    @contextmanager
    def session_scope(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work for scripts and the worker: commit on success, roll back on error."""
        session = (self.write_sessions if write else self.read_sessions)()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        run_after_commit(session)

    def dispose(self) -> None:
        self.engine.dispose()


_AFTER_COMMIT = "after_commit"


def call_after_commit(session: Session, function: Callable[[], None]) -> None:
    """Run `function` once the session's transaction has committed (not after a rollback), with
    no connection of the session held. For follow-up work that must not extend the transaction
    (and the locks it holds) and may fail without undoing it."""
    pending: list[Callable[[], None]] = session.info.setdefault(_AFTER_COMMIT, [])
    if function not in pending:
        pending.append(function)


def run_after_commit(session: Session) -> None:
    for function in session.info.pop(_AFTER_COMMIT, []):
        try:
            function()
        except Exception:
            logger.warning(
                "follow-up after commit failed: %s", function.__qualname__, exc_info=True
            )


_database: Database | None = None
_lock = threading.Lock()


def get_database() -> Database:
    global _database
    with _lock:
        if _database is None:
            _database = Database(get_settings().database_url)
        return _database


def set_database(database: Database | None) -> None:
    """Replace the process-wide database (tests, benchmarks)."""
    global _database
    with _lock:
        if _database is not None and _database is not database:
            _database.dispose()
        _database = database


@contextmanager
def session_scope(*, write: bool = True) -> Iterator[Session]:
    with get_database().session_scope(write=write) as session:
        yield session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work; unsafe methods take the write lock on SQLite.

    Making the session does no I/O, so it happens on the event loop; the commit (or rollback)
    talks to the database and runs in a worker thread, shielded from cancellation so that the
    connection always goes back to the pool. A session that never reached the database is only
    closed. The end does not wait for the request threads' limit: a full pool of requests waiting
    for a connection must not keep the ones holding connections from giving them back."""
    database = get_database()
    factory = database.read_sessions if request.method in SAFE_METHODS else database.write_sessions
    session = factory()
    request.state.db = session
    try:
        yield session
    except BaseException:
        await _end_session(session, commit=False)
        raise
    await _end_session(session, commit=True)


def _finish(session: Session, commit: bool) -> None:
    """Commit if asked; closing rolls back whatever was not committed."""
    try:
        if commit:
            session.commit()
    finally:
        session.close()
    if commit:
        run_after_commit(session)


async def _end_session(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():
        session.close()
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(_finish, session, commit, limiter=anyio.CapacityLimiter(1))


def str_enum(enum_class: type[StrEnum], length: int = 20) -> SAEnum:
    """A StrEnum stored as plain VARCHAR (no database enum type, no CHECK), read back as members."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
