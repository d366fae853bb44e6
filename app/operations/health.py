"""Readiness: the database answers within a second, its schema is at the migrations' head, and
the var folder takes files. Each check names itself when it fails and says no more."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import cache

from sqlalchemy import text

from app.config import get_settings
from app.db import get_database

DATABASE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


@cache
def migration_heads() -> frozenset[str]:
    # Alembic is loaded with the first readiness check, not with every process that serves.
    from alembic.script import ScriptDirectory

    from app.migrations import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def check_database() -> list[Check]:
    """Reachability and schema revision in one round trip to the database."""
    try:
        with get_database().engine.connect() as connection:
            revisions = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception:  # any failure to answer is "not ready"; the reason is in the server log
        return [Check("database", False, "no answer"), Check("migrations", False, "unknown")]
    at_head = revisions == migration_heads()
    return [
        Check("database", True),
        Check("migrations", at_head, "" if at_head else "schema is not at the migrations' head"),
    ]


def check_var_folder() -> Check:
    folder = get_settings().var_dir
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ready-"):
            pass
    except OSError:
        return Check("var_folder", False, "not writable")
    return Check("var_folder", os.access(folder, os.W_OK))
