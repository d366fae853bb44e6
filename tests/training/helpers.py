"""Helpers for training tests: courses and sessions through the API, time travel in the DB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from app.db import Database
from app.training.models import TrainingSession
from tests.client import TestClient


def future(hours: float = 48) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def make_course(staff_api: TestClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Business plan for investors",
        "description": "Five evenings on the plan, the model and the pitch.",
        "language": "ru",
        "members_only": False,
        **overrides,
    }
    response = staff_api.post("/api/v1/courses", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def make_session(
    staff_api: TestClient, course_id: int, *, capacity: int = 5, hours: float = 48, **overrides: Any
) -> dict[str, Any]:
    starts = future(hours)
    body = {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": capacity,
        "location": "Technopark, room 3",
        **overrides,
    }
    response = staff_api.post(f"/api/v1/courses/{course_id}/sessions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def move_session(database: Database, session_id: int, *, starts_in: timedelta) -> None:
    """Shift a session in time (e.g. into the past, which the API refuses by design)."""
    starts = datetime.now(UTC) + starts_in
    with database.session_scope() as session:
        session.execute(
            update(TrainingSession)
            .where(TrainingSession.id == session_id)
            .values(starts_at=starts, ends_at=starts + timedelta(hours=2))
        )
