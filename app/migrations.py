"""Run Alembic from Python (the CLI and the tests)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from app.config import PROJECT_ROOT
from app.db import build_engine


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(url: str | None = None, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_and_report` changed: the revisions before and after, the tables there are."""

    before: tuple[str, ...]
    after: tuple[str, ...]
    tables: int

    @property
    def created(self) -> bool:
        return not self.before

    def describe(self) -> str:
        after = ", ".join(self.after)
        if self.created:
            return f"Created the database schema: {self.tables} tables at revision {after}."
        if self.before != self.after:
            return f"Upgraded the database schema from {', '.join(self.before)} to {after}."
        return f"The database schema is up to date (revision {after})."


def _schema_state(url: str) -> tuple[tuple[str, ...], int]:
    """The revisions the database is at and how many tables it holds."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
            tables = len(sqlalchemy.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    return tuple(sorted(heads)), tables


def upgrade_and_report(url: str) -> Upgrade:
    before, _ = _schema_state(url)
    upgrade(url)
    after, tables = _schema_state(url)
    return Upgrade(before=before, after=after, tables=tables)
