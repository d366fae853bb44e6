from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Role, User
from app.notifications.models import OutboxMessage
from app.training.queries import has_completed_investor_readiness
from app.verification import resolve
from tests.training.helpers import make_course, make_session, move_session


def _attend(staff, session_id, user_id, attended=True):
    return staff.api.post(
        f"/api/v1/sessions/{session_id}/attendance", json={"user_id": user_id, "attended": attended}
    )


def test_attendance_before_the_session_starts_is_409(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"])
    person = factory.actor()
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    assert _attend(staff, session["id"], person.id).status_code == 409


def test_only_staff_mark_attendance_and_only_for_enrolled_people(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"])
    person, stranger = factory.actor(), factory.actor()
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    move_session(factory.database, session["id"], starts_in=timedelta(minutes=-10))
    assert _attend(person, session["id"], person.id).status_code == 403
    assert _attend(staff, session["id"], stranger.id).status_code == 404
    bad = staff.api.post(
        f"/api/v1/sessions/{session['id']}/attendance", json={"user_id": person.id}
    )
    assert bad.status_code == 422


def test_completing_every_session_issues_a_numbered_verifiable_certificate(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Investor readiness", investor_readiness=True)
    first = make_session(staff.api, course["id"], hours=30)
    second = make_session(staff.api, course["id"], hours=60)
    person = factory.actor(full_name="Дарья Стартапова")
    for s in (first, second):
        assert person.api.post(f"/api/v1/sessions/{s['id']}/enrolments").status_code == 201
    move_session(factory.database, first["id"], starts_in=timedelta(days=-7))
    move_session(factory.database, second["id"], starts_in=timedelta(hours=-1))

    no_show = _attend(staff, first["id"], person.id, attended=False)
    assert no_show.status_code == 200
    assert (no_show.json()["attended"], no_show.json()["completed"]) == (False, False)
    halfway = _attend(staff, first["id"], person.id)
    assert (halfway.json()["completed"], halfway.json()["certificate"]) == (False, None)
    with factory.database.session_scope(write=False) as db:
        user = db.get(User, person.id)
        assert has_completed_investor_readiness(db, user) is False

    done = _attend(staff, second["id"], person.id)
    assert done.status_code == 200
    body = done.json()
    assert body["completed"] is True
    year = datetime.now(UTC).year
    assert body["certificate"]["number"] == f"BP-{year}-0001"
    code = body["certificate"]["verify_code"]
    assert body["certificate"]["verify_url"] == f"http://testserver/verify/{code}"

    again = _attend(staff, second["id"], person.id)
    assert again.json()["certificate"]["number"] == f"BP-{year}-0001"
    with factory.database.session_scope(write=False) as db:
        record = resolve(db, code)
        assert record is not None
        assert (record.holder, record.number, record.status) == (
            "Дарья Стартапова",
            f"BP-{year}-0001",
            "valid",
        )
        assert resolve(db, "no-such-code") is None
        assert has_completed_investor_readiness(db, db.get(User, person.id)) is True
        mails = db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "training.certificate")
        ).all()
        assert [m.recipient_id for m in mails] == [person.id]
    mine = person.api.get("/api/v1/me/certificates").json()
    assert [c["number"] for c in mine["items"]] == [f"BP-{year}-0001"]


def test_at_least_rule_and_numbering_across_courses(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, completion_rule="at_least", min_sessions=1)
    sessions = [make_session(staff.api, course["id"], hours=h) for h in (30, 60)]
    people = [factory.actor(), factory.actor()]
    for person in people:
        person.api.post(f"/api/v1/sessions/{sessions[0]['id']}/enrolments")
    move_session(factory.database, sessions[0]["id"], starts_in=timedelta(hours=-2))
    numbers = [
        _attend(staff, sessions[0]["id"], p.id).json()["certificate"]["number"] for p in people
    ]
    year = datetime.now(UTC).year
    assert numbers == [f"TR-{year}-0001", f"TR-{year}-0002"]
    assert all(re.fullmatch(r"TR-\d{4}-\d{4}", n) for n in numbers)
    with factory.database.session_scope(write=False) as db:
        assert has_completed_investor_readiness(db, db.get(User, people[0].id)) is False
