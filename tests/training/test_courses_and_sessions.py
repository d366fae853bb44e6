from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from app.training.models import Course, TrainingSession
from tests.training.helpers import future, make_course, make_session


def test_staff_create_a_course_and_a_session(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(
        staff.api, investor_readiness=True, completion_rule="at_least", min_sessions=2
    )
    assert course["investor_readiness"] is True
    assert course["min_sessions"] == 2
    session = make_session(staff.api, course["id"], capacity=3)
    assert session["capacity"] == 3
    assert session["seats_left"] == 3
    assert session["waitlist_length"] == 0
    detail = staff.api.get(f"/api/v1/courses/{course['id']}").json()
    assert [s["id"] for s in detail["sessions"]] == [session["id"]]
    listing = staff.api.get("/api/v1/courses").json()
    assert listing["total"] == 1


def test_non_staff_cannot_create_courses_or_sessions(factory) -> None:
    staff = factory.actor(Role.staff)
    user = factory.actor()
    assert user.api.post("/api/v1/courses", json={"title": "x"}).status_code == 403
    course = make_course(staff.api)
    starts = future()
    response = user.api.post(
        f"/api/v1/courses/{course['id']}/sessions",
        json={
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 2,
            "location": "Hall",
        },
    )
    assert response.status_code == 403
    assert factory.count(Course) == 1
    assert factory.count(TrainingSession) == 0


def test_at_least_rule_without_a_number_is_422(factory) -> None:
    staff = factory.actor(Role.staff)
    response = staff.api.post("/api/v1/courses", json={"title": "x", "completion_rule": "at_least"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body"]
    assert error["msg"].endswith("min_sessions is required when completion_rule is at_least")
    assert factory.count(Course) == 0


def _session_body(**overrides):
    starts = future()
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 5,
        "location": "Hall",
        **overrides,
    }


def test_session_validation_names_the_field(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    url = f"/api/v1/courses/{course['id']}/sessions"
    starts = future()
    cases = {
        "ends_at": _session_body(
            ends_at=(starts - timedelta(hours=1)).isoformat(), starts_at=starts.isoformat()
        ),
        "starts_at": _session_body(
            starts_at=future(-5).isoformat(), ends_at=future(-3).isoformat()
        ),
        "capacity": _session_body(capacity=0),
        "location": _session_body(location=None),
    }
    for field, body in cases.items():
        response = staff.api.post(url, json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["detail"][0]["loc"], response.json()
    negative = staff.api.post(url, json=_session_body(capacity=-3))
    assert negative.status_code == 422
    naive = staff.api.post(url, json=_session_body(starts_at="2030-01-01T10:00:00"))
    assert naive.status_code == 422
    assert (
        staff.api.post("/api/v1/courses/999999/sessions", json=_session_body()).status_code == 404
    )
    assert factory.count(TrainingSession) == 0


def test_online_session_needs_no_place(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    session = make_session(
        staff.api, course["id"], location=None, online_url="https://meet.example.com/bp"
    )
    assert session["online_url"] == "https://meet.example.com/bp"


def test_upcoming_sessions_show_seats_left_and_waitlist(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    session = make_session(staff.api, course["id"], capacity=1)
    for _ in range(3):
        factory.actor().api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    listing = factory.actor().api.get("/api/v1/sessions?upcoming=true").json()
    assert listing["total"] == 1
    item = listing["items"][0]
    assert (item["enrolled"], item["seats_left"], item["waitlist_length"]) == (1, 0, 2)


def test_capacity_below_enrolled_is_409_with_explanation(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    session = make_session(staff.api, course["id"], capacity=3)
    for _ in range(3):
        factory.actor().api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    response = staff.api.patch(
        f"/api/v1/sessions/{session['id']}", json={"capacity": 2}, params={"lang": "en"}
    )
    assert response.status_code == 409
    assert "3 people are already enrolled" in response.json()["detail"]
    assert (
        staff.api.patch(f"/api/v1/sessions/{session['id']}", json={"capacity": 0}).status_code
        == 422
    )


def test_raising_capacity_promotes_the_waitlist(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    session = make_session(staff.api, course["id"], capacity=1)
    people = [factory.actor() for _ in range(3)]
    for person in people:
        person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    response = staff.api.patch(f"/api/v1/sessions/{session['id']}", json={"capacity": 2})
    assert response.status_code == 200
    assert (response.json()["enrolled"], response.json()["waitlist_length"]) == (2, 1)
    mine = people[1].api.get(f"/api/v1/sessions/{session['id']}/enrolments/mine").json()
    assert mine["status"] == "enrolled"
    last = people[2].api.get(f"/api/v1/sessions/{session['id']}/enrolments/mine").json()
    assert (last["status"], last["position"]) == ("waitlisted", 1)
