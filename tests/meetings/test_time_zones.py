from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.meetings.helpers import investor, member


def _day_after_tomorrow() -> str:
    return (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


def test_investor_publishes_in_own_zone_and_each_viewer_sees_local_times(
    factory: Factory,
) -> None:
    inv, _ = investor(factory, browser=True, timezone="Asia/Novosibirsk")
    mem, _ = member(factory, browser=True, timezone="Europe/Moscow")
    day = _day_after_tomorrow()
    page = inv.browser.get("/investor-inbox")
    response = inv.browser.post(
        "/investor-inbox/availability",
        data={
            "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T11:00",
            "slot_minutes": "30",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 303

    utc_start = datetime.fromisoformat(f"{day}T03:00:00+00:00")
    slots = mem.api.get(f"/api/v1/investors/{inv.id}/slots").json()
    assert [datetime.fromisoformat(s["starts_at"]) for s in slots] == [
        utc_start,
        utc_start + timedelta(minutes=30),
    ]
    assert [(s["starts_at"][:19], s["local_starts_at"], s["timezone"]) for s in slots] == [
        (f"{day}T03:00:00", f"{day}T06:00:00+03:00", "Europe/Moscow"),
        (f"{day}T03:30:00", f"{day}T06:30:00+03:00", "Europe/Moscow"),
    ]
    mine = inv.api.get("/api/v1/investors/me/availability").json()
    assert mine["total"] == 1
    window = mine["items"][0]
    assert (window["local_starts_at"], window["local_ends_at"], window["timezone"]) == (
        f"{day}T10:00:00+07:00",
        f"{day}T11:00:00+07:00",
        "Asia/Novosibirsk",
    )

    directory = mem.browser.get("/investors").text
    times = Page(directory).texts("time", f"investor-{inv.id}")
    assert [t[-5:] for t in times] == ["06:00", "06:30"]
    assert "UTC+3 — Москва (МСК)" in directory
    cells = Page(inv.browser.get("/investor-inbox").text).texts("td", "availability")
    assert cells[0][-5:] == "10:00" and cells[1][-5:] == "11:00"


def test_availability_form_refuses_a_reversed_window(factory: Factory) -> None:
    inv, _ = investor(factory, browser=True)
    day = _day_after_tomorrow()
    page = inv.browser.get("/investor-inbox")
    response = inv.browser.post(
        "/investor-inbox/availability",
        data={
            "starts_at": f"{day}T12:00",
            "ends_at": f"{day}T11:00",
            "slot_minutes": "30",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 303
    assert inv.api.get("/api/v1/investors/me/availability").json()["total"] == 0
    follow = inv.browser.get("/investor-inbox").text
    assert "Окно должно заканчиваться" in follow or "end after" in follow
