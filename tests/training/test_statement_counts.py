"""Rosters and personal lists show waitlist places without one query per person waiting: the
number of SQL statements stays the same when the waitlists grow."""

from __future__ import annotations

import csv
import io

from app.accounts.models import Role
from bench.routes import StatementCounter
from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.html import Page
from tests.training.helpers import make_course, make_session


def _statements(factory: Factory, client: TestClient, path: str) -> int:
    counter = StatementCounter(factory.database.engine)
    with counter.counting():
        response = client.get(path)
    assert response.status_code == 200, response.text
    return counter.count


def _enrol(person: Actor, session_id: int) -> str:
    response = person.api.post(f"/api/v1/sessions/{session_id}/enrolments")
    assert response.status_code == 201, response.text
    return str(response.json()["status"])


def test_staff_roster_shows_waitlist_places_in_a_fixed_number_of_statements(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    session_id = make_session(staff.api, make_course(staff.api)["id"], capacity=1)["id"]
    people = [factory.actor(full_name=f"Person {n}") for n in range(4)]
    page, api, export = (
        f"/sessions/{session_id}?lang=en",
        f"/api/v1/sessions/{session_id}/enrolments",
        f"/sessions/{session_id}/enrolments.csv?lang=en",
    )
    assert [_enrol(p, session_id) for p in people[:2]] == ["enrolled", "waitlisted"]
    one_waiting = [
        _statements(factory, staff.browser, page),
        _statements(factory, staff.api, api),
        _statements(factory, staff.browser, export),
    ]

    assert [_enrol(p, session_id) for p in people[2:]] == ["waitlisted", "waitlisted"]

    assert [
        _statements(factory, staff.browser, page),
        _statements(factory, staff.api, api),
        _statements(factory, staff.browser, export),
    ] == one_waiting
    assert one_waiting[0] <= 10
    assert [t for t in Page(staff.browser.get(page).text).texts("td") if "waitlist" in t] == [
        "On the waitlist (1)",
        "On the waitlist (2)",
        "On the waitlist (3)",
    ]
    items = staff.api.get(api).json()["items"]
    assert [(i["full_name"], i["status"], i["position"]) for i in items] == [
        ("Person 0", "enrolled", None),
        ("Person 1", "waitlisted", 1),
        ("Person 2", "waitlisted", 2),
        ("Person 3", "waitlisted", 3),
    ]
    rows = list(csv.reader(io.StringIO(staff.browser.get(export).text.lstrip("\ufeff"))))
    assert [(r[0], r[4]) for r in rows[1:]] == [
        ("Person 0", ""),
        ("Person 1", "1"),
        ("Person 2", "2"),
        ("Person 3", "3"),
    ]


def test_my_trainings_shows_every_waitlist_place_in_a_fixed_number_of_statements(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff)
    course_id = make_course(staff.api)["id"]
    sessions = [
        make_session(staff.api, course_id, capacity=1, hours=48 + n)["id"] for n in range(3)
    ]
    me = factory.actor(browser=True)
    assert me.browser is not None
    ahead = [factory.actor() for _ in range(3)]
    for n, session_id in enumerate(sessions):
        for person in ahead[: n + 1]:
            _enrol(person, session_id)
    assert _enrol(me, sessions[0]) == "waitlisted"
    one_waitlist = _statements(factory, me.browser, "/trainings/mine?lang=en")

    assert [_enrol(me, s) for s in sessions[1:]] == ["waitlisted", "waitlisted"]

    assert _statements(factory, me.browser, "/trainings/mine?lang=en") == one_waitlist
    page = me.browser.get("/trainings/mine?lang=en").text
    assert [t for t in Page(page).texts("td") if "Waitlist" in t] == [
        "Waitlist, number 1",
        "Waitlist, number 2",
        "Waitlist, number 3",
    ]


def test_personal_calendar_feed_runs_a_fixed_number_of_statements(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    me = factory.actor()
    sessions = [
        make_session(staff.api, make_course(staff.api, title=f"Course {n}")["id"], hours=48 + n)
        for n in range(3)
    ]
    path = me.api.post("/api/v1/me/calendar-feed").json()["url"].removeprefix("http://testserver")
    anonymous = TestClient(factory.app)
    _enrol(me, sessions[0]["id"])
    one_course = _statements(factory, anonymous, path)

    for training_session in sessions[1:]:
        _enrol(me, training_session["id"])

    assert _statements(factory, anonymous, path) == one_course
    assert b"Course 2" in anonymous.get(path).content
