"""The event's `.ics`, events in the personal calendar feed, and the reminder a day before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from app.accounts.models import Role
from app.db import utcnow
from app.events.reminders import remind_upcoming_events
from tests.client import TestClient
from tests.events.helpers import make_event, outbox
from tests.factories import make_member


def _events(body: bytes):
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def test_event_ics_has_utc_times_place_and_a_stable_uid(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(
        staff.api,
        title="Regional IT conference",
        kind="conference",
        starts_at="2030-05-20T10:00:00+03:00",
        ends_at="2030-05-20T18:00:00+03:00",
        location="Expo centre, hall B",
    )
    response = factory.actor().api.get(f"/api/v1/events/{event['id']}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    (entry,) = _events(response.content)
    assert entry.decoded("dtstart") == datetime(2030, 5, 20, 7, 0, tzinfo=UTC)
    assert entry.decoded("dtend") == datetime(2030, 5, 20, 15, 0, tzinfo=UTC)
    assert str(entry["summary"]) == "Regional IT conference"
    assert str(entry["location"]) == "Expo centre, hall B"
    assert str(entry["uid"]) == f"event-{event['id']}@testserver"
    assert str(entry["url"]) == f"http://testserver/events/{event['id']}"
    assert factory.actor().api.get("/api/v1/events/99999/calendar.ics").status_code == 404


def test_members_only_ics_is_hidden_from_strangers(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, members_only=True)
    assert factory.actor().api.get(f"/api/v1/events/{event['id']}/calendar.ics").status_code == 404
    member = factory.actor()
    make_member(factory.database, factory.organisation(member.user))
    assert member.api.get(f"/api/v1/events/{event['id']}/calendar.ics").status_code == 200


def test_personal_feed_holds_the_events_i_have_a_seat_at(factory) -> None:
    staff = factory.actor(Role.staff)
    seated = make_event(staff.api, title="Seated event", capacity=1, hours=30)
    waiting = make_event(staff.api, title="Waiting event", capacity=1, hours=60)
    make_event(staff.api, title="Other event", hours=90)
    person, other = factory.actor(), factory.actor()
    other.api.post(f"/api/v1/events/{waiting['id']}/registrations")
    person.api.post(f"/api/v1/events/{seated['id']}/registrations")
    person.api.post(f"/api/v1/events/{waiting['id']}/registrations")
    url = person.api.post("/api/v1/me/calendar-feed").json()["url"]
    feed = TestClient(factory.app).get(url.removeprefix("http://testserver"))
    assert feed.status_code == 200
    entries = {str(e["summary"]): str(e["uid"]) for e in _events(feed.content)}
    assert entries == {"Seated event": f"event-{seated['id']}@testserver"}
    person.api.delete(f"/api/v1/events/{seated['id']}/registrations/mine")
    feed = TestClient(factory.app).get(url.removeprefix("http://testserver"))
    assert [str(e["summary"]) for e in _events(feed.content)] == []


def test_reminder_is_sent_once_a_day_before(factory) -> None:
    staff = factory.actor(Role.staff)
    soon = make_event(staff.api, title="Soon", hours=20)
    later = make_event(staff.api, title="Later", hours=50)
    person = factory.actor(locale="en")
    for event in (soon, later):
        person.api.post(f"/api/v1/events/{event['id']}/registrations")
    with factory.database.session_scope() as session:
        assert remind_upcoming_events(session, utcnow()) == 1
    with factory.database.session_scope() as session:
        assert remind_upcoming_events(session, utcnow()) == 0
    assert outbox(factory.database, "events.reminder") == [(person.id, "Tomorrow: Soon")]
    with factory.database.session_scope() as session:
        assert remind_upcoming_events(session, utcnow() + timedelta(hours=30)) == 1
    assert [s for _, s in outbox(factory.database, "events.reminder")] == [
        "Tomorrow: Soon",
        "Tomorrow: Later",
    ]
