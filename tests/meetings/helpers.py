from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.accounts.models import Organisation, OrganisationKind, Role
from tests.factories import Actor, Factory, make_member


def member(factory: Factory, **kwargs) -> tuple[Actor, Organisation]:
    actor = factory.actor(**kwargs)
    organisation = factory.organisation(actor.user)
    make_member(factory.database, organisation)
    return actor, organisation


def investor(factory: Factory, **kwargs) -> tuple[Actor, Organisation]:
    actor = factory.actor(Role.investor, **kwargs)
    organisation = factory.organisation(actor.user, kind=OrganisationKind.investor, verified=True)
    return actor, organisation


def tomorrow(hour: int = 10) -> datetime:
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def open_window(
    actor: Actor, start: datetime | None = None, hours: int = 3, slot: int = 30
) -> None:
    start = start or tomorrow()
    response = actor.api.post(
        "/api/v1/investors/me/availability",
        json={
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat(),
            "slot_minutes": slot,
        },
    )
    assert response.status_code == 201, response.text


def request_meeting(actor: Actor, investor_id: int, message: str = "Hello") -> dict:
    response = actor.api.post(
        "/api/v1/meeting-requests", json={"investor_id": investor_id, "message": message}
    )
    assert response.status_code == 201, response.text
    return response.json()
