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
