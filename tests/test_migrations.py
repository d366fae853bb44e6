"""The migrations build the schema the models describe, and walk down and up cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import migrations
from app.config import get_settings
from app.db import Base, build_engine
from app.domains import load_models


@contextmanager
def scratch_database(tmp_path) -> Iterator[str]:
    url = make_url(get_settings().database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"portal_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _managed(name, type_, parent_names) -> bool:
    """Tables a migration creates outside the models (e.g. SQLite FTS5 tables) are not drift."""
    prefixes = tuple(Base.metadata.info.get("unmanaged_table_prefixes", ()))
    return not (type_ == "table" and prefixes and name.startswith(prefixes))


def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path) -> None:
    load_models()
    with scratch_database(tmp_path) as url:
        migrations.upgrade(url)
        migrations.downgrade(url)
        engine = build_engine(url)
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        migrations.upgrade(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": _managed}
            )
            drift = compare_metadata(context, Base.metadata)
        engine.dispose()
    assert drift == []
