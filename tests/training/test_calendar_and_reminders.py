from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from app.accounts.models import Role
from app.db import utcnow
from app.notifications.models import OutboxMessage
from app.training.reminders import remind_upcoming_sessions
from tests.client import TestClient
from tests.training.helpers import make_course, make_session


def _events(body: bytes):
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def test_session_ics_has_utc_times_and_a_stable_uid(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Financial model")
    session = make_session(
        staff.api,
        course["id"],
        starts_at="2030-03-10T18:00:00+03:00",
        ends_at="2030-03-10T20:30:00+03:00",
    )
    response = factory.actor().api.get(f"/api/v1/sessions/{session['id']}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    (event,) = _events(response.content)
    assert event.decoded("dtstart") == datetime(2030, 3, 10, 15, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2030, 3, 10, 17, 30, tzinfo=UTC)
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["summary"]) == "Financial model"
    assert str(event["location"]) == "Technopark, room 3"
    assert str(event["uid"]) == f"training-session-{session['id']}@testserver"
    again = factory.actor().api.get(f"/api/v1/sessions/{session['id']}/calendar.ics")
    assert str(_events(again.content)[0]["uid"]) == str(event["uid"])
    assert factory.actor().api.get("/api/v1/sessions/99999/calendar.ics").status_code == 404


def test_personal_feed_lists_my_seats_and_can_be_revoked(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    mine = make_session(staff.api, course["id"], capacity=1, hours=30)
    waiting = make_session(staff.api, course["id"], capacity=1, hours=60)
    make_session(staff.api, course["id"], hours=90)
    person, other = factory.actor(), factory.actor()
    other.api.post(f"/api/v1/sessions/{waiting['id']}/enrolments")
    person.api.post(f"/api/v1/sessions/{mine['id']}/enrolments")
    person.api.post(f"/api/v1/sessions/{waiting['id']}/enrolments")

    issued = person.api.post("/api/v1/me/calendar-feed")
    assert issued.status_code == 201
    url = issued.json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    path = url.removeprefix("http://testserver")
    anonymous = TestClient(factory.app)
    feed = anonymous.get(path)
    assert feed.status_code == 200
    uids = [str(e["uid"]) for e in _events(feed.content)]
    assert uids == [f"training-session-{mine['id']}@testserver"]

    rotated = person.api.post("/api/v1/me/calendar-feed").json()["url"]
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(rotated.removeprefix("http://testserver")).status_code == 200
    assert person.api.delete("/api/v1/me/calendar-feed").status_code == 204
    assert anonymous.get(rotated.removeprefix("http://testserver")).status_code == 404
    assert anonymous.get("/calendar/guess.ics").status_code == 404


def test_reminder_is_sent_once_a_day_before(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Unit economics")
    soon = make_session(staff.api, course["id"], hours=20)
    later = make_session(staff.api, course["id"], hours=50)
    person = factory.actor(locale="en")
    for s in (soon, later):
        person.api.post(f"/api/v1/sessions/{s['id']}/enrolments")
    with factory.database.session_scope() as db:
        assert remind_upcoming_sessions(db, utcnow()) == 1
    with factory.database.session_scope() as db:
        assert remind_upcoming_sessions(db, utcnow()) == 0
    with factory.database.session_scope(write=False) as db:
        mails = db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "training.reminder")
        ).all()
        assert [(m.recipient_id, m.subject) for m in mails] == [
            (person.id, "Tomorrow: Unit economics")
        ]


def test_moving_a_session_tells_everyone_and_reminds_again_before_the_new_time(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Pitch deck")
    session = make_session(staff.api, course["id"], hours=20, capacity=1)
    seated, waiting = factory.actor(locale="en"), factory.actor(locale="en")
    for person in (seated, waiting):
        person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    with factory.database.session_scope() as db:
        assert remind_upcoming_sessions(db, utcnow()) == 1

    new_start = (utcnow() + timedelta(hours=22)).replace(microsecond=0)
    moved = staff.api.patch(
        f"/api/v1/sessions/{session['id']}",
        json={
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(hours=2)).isoformat(),
        },
    )
    assert moved.status_code == 200, moved.text
    with factory.database.session_scope(write=False) as db:
        notices = db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "training.session_moved")
        ).all()
        assert sorted(m.recipient_id for m in notices) == sorted([seated.id, waiting.id])
        assert {m.subject for m in notices} == {"New time for Pitch deck"}
    with factory.database.session_scope() as db:
        assert remind_upcoming_sessions(db, utcnow()) == 1  # the seat holder, for the new time

    staff.api.patch(f"/api/v1/sessions/{session['id']}", json={"location": "Room 2"})
    with factory.database.session_scope(write=False) as db:
        assert (
            len(
                db.scalars(
                    select(OutboxMessage).where(OutboxMessage.kind == "training.session_moved")
                ).all()
            )
            == 2
        )
