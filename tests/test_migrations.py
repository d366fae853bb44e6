"""The migrations build the schema the models describe, and walk down and up cleanly."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def test_the_first_migration_says_what_it_created_and_the_next_that_nothing_changed(
    tmp_path,
) -> None:
    with scratch_database(tmp_path) as url:
        first = migrations.upgrade_and_report(url)
        again = migrations.upgrade_and_report(url)
    assert first.created and first.tables > 40
    assert first.describe().startswith(f"Created the database schema: {first.tables} tables")
    assert not again.created and again.after == first.after
    assert again.describe() == f"The database schema is up to date (revision {first.after[0]})."


def test_hosts_migrating_one_database_at_once_take_turns(tmp_path) -> None:
    """Every web host runs `portal migrate` as it starts; on a shared PostgreSQL database one
    migrates while the others wait, then find the schema current."""
    if make_url(get_settings().database_url).get_backend_name() == "sqlite":
        pytest.skip("several hosts share a PostgreSQL database, never a SQLite file")
    with scratch_database(tmp_path) as url:
        # Processes, as on two hosts: Alembic's context is one per process.
        code = "import sys; from app import migrations; migrations.upgrade(sys.argv[1])"
        hosts = [
            subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        failures = [host.stderr.read() for host in hosts if host.wait(timeout=300) != 0]  # type: ignore[union-attr]
        engine = build_engine(url)
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        engine.dispose()
    assert failures == []
    assert set(heads) == set(ScriptDirectory.from_config(migrations.alembic_config()).get_heads())
