from __future__ import annotations

from app.accounts.models import Role
from tests.factories import Factory
from tests.meetings.helpers import investor, member, open_window, request_meeting


def test_directory_inbox_and_my_meetings_pages_render(factory: Factory) -> None:
    inv, _ = investor(factory, browser=True)
    open_window(inv)
    mem, _org = member(factory, browser=True)
    request_meeting(mem, inv.id, "Нужна встреча")
    directory = mem.browser.get("/investors")
    assert directory.status_code == 200 and inv.user.full_name in directory.text
    inbox = inv.browser.get("/investor-inbox")
    assert inbox.status_code == 200 and "Нужна встреча" in inbox.text
    mine = mem.browser.get("/meetings")
    assert mine.status_code == 200 and inv.user.full_name in mine.text
    staff = factory.actor(Role.staff, browser=True)
    day = staff.api.post(
        "/api/v1/pitch-days",
        json={"date": "2026-12-10", "slot_starts": ["10:00"], "slot_minutes": 30, "tables": 1},
    ).json()
    assert staff.browser.get(f"/pitch-days/{day['id']}").status_code == 200


def test_accepting_into_a_taken_slot_from_the_inbox_is_refused_and_writes_nothing(
    factory: Factory,
) -> None:
    from app.meetings.models import BusyInterval, Meeting
    from tests.factories import csrf_from
    from tests.meetings.helpers import (
        accept,
        investor,
        member,
        open_window,
        request_meeting,
        tomorrow,
    )

    inv, _ = investor(factory, browser=True, locale="en")
    open_window(inv)
    first, _ = member(factory)
    second, _ = member(factory)
    start = tomorrow()
    accept(inv, request_meeting(first, inv.id)["id"], start)
    pending = request_meeting(second, inv.id)
    assert inv.browser is not None
    page = inv.browser.get("/investor-inbox")

    response = inv.browser.post(
        f"/investor-inbox/{pending['id']}/accept",
        data={"csrf_token": csrf_from(page.text), "starts_at": start.isoformat()},
    )

    assert response.status_code == 303
    assert factory.count(Meeting) == 1
    assert factory.count(BusyInterval) == 2
    assert inv.api.get(f"/api/v1/meeting-requests/{pending['id']}").json()["status"] == "requested"
