"""The region's report counts the events held in a year and the people who came."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from app.db import utcnow
from tests.events.helpers import make_event, move_event


def test_events_held_and_their_participants_by_year(factory) -> None:
    staff = factory.actor(Role.staff)
    held = make_event(staff.api, capacity=3)
    make_event(staff.api, hours=24 * 400)  # ahead: not held yet
    came, absent, both = factory.actor(), factory.actor(), factory.actor()
    second = make_event(staff.api)
    for person in (came, absent, both):
        person.api.post(f"/api/v1/events/{held['id']}/registrations")
    both.api.post(f"/api/v1/events/{second['id']}/registrations")
    for event in (held, second):
        move_event(factory.database, event["id"], starts_in=timedelta(hours=-3))
    marks = ((held, came, True), (held, absent, False), (held, both, True), (second, both, True))
    for event, person, attended in marks:
        response = staff.api.post(
            f"/api/v1/events/{event['id']}/attendance",
            json={"user_id": person.id, "attended": attended},
        )
        assert response.status_code == 200
    year = (utcnow() - timedelta(hours=3)).year
    assert _events_figures(staff, year) == (2, 2)
    assert _events_figures(staff, year - 1) == (0, 0)


def _events_figures(staff, year: int) -> tuple[int, int]:
    response = staff.api.get(f"/api/v1/reports/indicators?year={year}")
    assert response.status_code == 200
    values = {item["code"]: item["value"] for item in response.json()["items"]}
    return values["events"], values["event_participants"]
