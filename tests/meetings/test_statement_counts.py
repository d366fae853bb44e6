"""Pitch-day pages name every participant without one query per organisation: the number of
SQL statements stays the same when more organisations take part."""

from __future__ import annotations

from app.accounts.models import Role
from bench.routes import StatementCounter
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page
from tests.meetings.helpers import in_days, member


def _statements(factory: Factory, client: TestClient, path: str) -> int:
    counter = StatementCounter(factory.database.engine)
    with counter.counting():
        response = client.get(path)
    assert response.status_code == 200, response.text
    return counter.count


def test_staff_pitch_day_page_names_participants_in_a_fixed_number_of_statements(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    day = staff.api.post(
        "/api/v1/pitch-days",
        json={"date": in_days(), "slot_starts": ["10:00"], "slot_minutes": 20, "tables": 2},
    ).json()
    page = f"/pitch-days/{day['id']}"
    names = []

    def register() -> None:
        actor, organisation = member(factory)
        registered = actor.api.post(
            f"/api/v1/pitch-days/{day['id']}/participants",
            json={"organisation_id": organisation.id},
        )
        assert registered.status_code == 201, registered.text
        names.append(organisation.name)

    register()
    one = _statements(factory, staff.browser, page)
    register()
    register()

    assert _statements(factory, staff.browser, page) == one
    assert Page(staff.browser.get(page).text).texts("td", within="participants")[0::5] == names
