"""What the portal holds on a person: each domain registers an exporter for its own records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import User

Exporter = Callable[[Session, User], Any]
_exporters: dict[str, Exporter] = {}


def register_exporter(section: str) -> Callable[[Exporter], Exporter]:
    def decorator(function: Exporter) -> Exporter:
        _exporters[section] = function
        return function

    return decorator


def export_personal_data(session: Session, user: User) -> dict[str, Any]:
    return {section: exporter(session, user) for section, exporter in sorted(_exporters.items())}
