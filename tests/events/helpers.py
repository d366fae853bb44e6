"""Helpers for events tests: events through the API, time travel in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from app.db import Database
from app.events.models import Event
from app.notifications.models import OutboxMessage
from tests.client import TestClient


def future(hours: float = 48) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def event_body(**overrides: Any) -> dict[str, Any]:
    starts = future(overrides.pop("hours", 48))
    return {
        "title": "Networking day",
        "description": "Meet the cluster's companies.",
        "kind": "networking",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "location": "Technopark, atrium",
        "capacity": 5,
        "members_only": False,
        **overrides,
    }


def make_event(staff_api: TestClient, **overrides: Any) -> dict[str, Any]:
    response = staff_api.post("/api/v1/events", json=event_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def move_event(database: Database, event_id: int, *, starts_in: timedelta) -> None:
    """Shift an event in time (e.g. into the past, which the API refuses by design)."""
    starts = datetime.now(UTC) + starts_in
    with database.session_scope() as session:
        session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(starts_at=starts, ends_at=starts + timedelta(hours=2))
        )


def outbox(database: Database, kind: str) -> list[tuple[int | None, str]]:
    """(recipient, subject) of every queued message of a kind, in order."""
    with database.session_scope(write=False) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        return [(m.recipient_id, m.subject) for m in rows]
