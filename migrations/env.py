"""Alembic environment: the URL comes from the portal's settings unless the caller gave one."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from app.config import get_settings
from app.db import Base, build_engine
from app.domains import load_models

load_models()
config = context.config
target_metadata = Base.metadata


# Web hosts sharing one PostgreSQL database each run `portal migrate` when they start: one
# runs the migrations, the others wait for it and then find the schema current.
MIGRATION_LOCK = 0x706F7274616C  # "portal"


def _url() -> str:
    return config.attributes.get("url") or get_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
