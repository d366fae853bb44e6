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


def in_days(days: int = 7) -> str:
    """A date `days` ahead, ISO formatted: a pitch day still open for registration."""
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


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


def add_colleague(factory: Factory, organisation: Organisation, **kwargs) -> Actor:
    """Another person of the organisation (not its owner)."""
    from app.accounts.models import OrganisationMember, OrganisationRole

    actor = factory.actor(**kwargs)
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation.id,
                user_id=actor.id,
                role=OrganisationRole.member,
            )
        )
    return actor


def accept(actor: Actor, request_id: int, starts_at: datetime) -> dict:
    response = actor.api.post(
        f"/api/v1/meeting-requests/{request_id}/accept", json={"starts_at": starts_at.isoformat()}
    )
    assert response.status_code == 200, response.text
    return response.json()
