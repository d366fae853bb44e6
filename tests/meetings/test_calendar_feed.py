from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.meetings.helpers import (
    accept,
    add_colleague,
    investor,
    member,
    open_window,
    request_meeting,
    tomorrow,
)


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def _feed(factory: Factory, actor: Actor) -> list:
    url = actor.api.post("/api/v1/me/calendar-feed").json()["url"]
    response = TestClient(factory.app).get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    return _events(response.content)


def test_accepted_meetings_appear_in_both_sides_feeds_with_the_ics_uid_and_sequence(
    factory: Factory,
) -> None:
    inv, _ = investor(factory, full_name="Olga Investor")
    open_window(inv)
    owner, org = member(factory)
    colleague = add_colleague(factory, org)
    other, _ = member(factory)
    meeting = accept(inv, request_meeting(owner, inv.id)["id"], tomorrow(10))
    moved = inv.api.post(
        f"/api/v1/meetings/{meeting['id']}/reschedule",
        json={"starts_at": (tomorrow(10) + timedelta(minutes=30)).isoformat()},
    )
    assert moved.status_code == 200, moved.text
    dropped = accept(inv, request_meeting(other, inv.id)["id"], tomorrow(12))
    assert inv.api.post(f"/api/v1/meetings/{dropped['id']}/cancel").status_code == 200
    request_meeting(other, inv.id)  # pending: not in any feed

    (single,) = _events(owner.api.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics").content)
    for person in (inv, owner, colleague):
        (event,) = _feed(factory, person)
        assert str(event["uid"]) == str(single["uid"]) == meeting["uid"]
        assert int(event["sequence"]) == int(single["sequence"]) == 1
        assert event.decoded("dtstart") == tomorrow(10) + timedelta(minutes=30)
        assert event.decoded("dtend") == tomorrow(11)
        assert str(event["summary"]) == str(single["summary"])
        assert "Olga Investor" in str(event["summary"]) and org.name in str(event["summary"])
    assert _feed(factory, other) == []
    assert _feed(factory, factory.actor()) == []
