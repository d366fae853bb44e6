from __future__ import annotations

from app.accounts.models import Role
from tests.factories import Factory
from tests.html import Page
from tests.meetings.helpers import in_days, investor, member, open_window, request_meeting


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
        json={"date": in_days(), "slot_starts": ["10:00"], "slot_minutes": 30, "tables": 1},
    ).json()
    pitch_day = staff.browser.get(f"/pitch-days/{day['id']}?lang=en")
    assert pitch_day.status_code == 200
    page = Page(pitch_day.text)
    assert page.find("h1").text.startswith("Pitch day")
    assert "Nobody has registered yet." in page.text
    assert f"/pitch-days/{day['id']}/edit" in {link.href for link in page.links()}


def test_accepting_into_a_taken_slot_from_the_inbox_is_refused_and_writes_nothing(
    factory: Factory,
) -> None:
    from app.meetings.models import BusyInterval, Meeting
    from tests.html import csrf_from
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

    # The inbox comes back with the refusal beside the request's form.
    assert response.status_code == 409
    assert 'role="alert"' in response.text and f"/investor-inbox/{pending['id']}/accept" in (
        response.text
    )
    assert factory.count(Meeting) == 1
    assert factory.count(BusyInterval) == 2
    assert inv.api.get(f"/api/v1/meeting-requests/{pending['id']}").json()["status"] == "requested"


def test_investors_and_meetings_pages_show_twenty_at_a_time(factory: Factory) -> None:
    from datetime import timedelta

    from tests.meetings.helpers import accept, tomorrow

    investors = [investor(factory)[0] for _ in range(22)]
    mem, _ = member(factory, browser=True)
    assert mem.browser is not None
    first = mem.browser.get("/investors").text
    second = mem.browser.get("/investors?offset=20").text
    shown = [inv.id for inv in investors if f'id="investor-{inv.id}"' in first]
    rest = [inv.id for inv in investors if f'id="investor-{inv.id}"' in second]
    assert (len(shown), len(rest), set(shown) & set(rest)) == (20, 2, set())
    assert 'href="?offset=20"' in first

    inv = investors[0]
    open_window(inv, hours=11, slot=30)
    for n in range(21):
        other, _ = member(factory)
        request = request_meeting(other, inv.id)
        accept(inv, request["id"], tomorrow() + timedelta(minutes=30 * n))
    inv_browser = factory.browser_client(inv.user)
    page = inv_browser.get("/meetings").text
    assert page.count(".ics</a>") == 20 and 'href="?offset=20"' in page
    assert inv_browser.get("/meetings?offset=20").text.count(".ics</a>") == 1
    listed = inv.api.get("/api/v1/meetings?limit=5&offset=20").json()
    assert (listed["total"], len(listed["items"])) == (21, 1)
