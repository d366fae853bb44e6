from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Role, User
from app.audit import AuditEntry
from app.i18n import format_date, use_locale
from app.notifications.models import OutboxMessage
from app.portal.verification import resolve
from app.training.models import Certificate
from app.training.queries import has_completed_investor_readiness
from tests.client import TestClient
from tests.training.helpers import make_course, make_session, move_session


def _attendance(staff, session_id) -> dict[int, bool | None]:
    """The roster as staff see it: who is enrolled and whether they attended."""
    roster = staff.api.get(f"/api/v1/sessions/{session_id}/enrolments").json()["items"]
    return {row["user_id"]: row["attended"] for row in roster}


def _attend(staff, session_id, user_id, attended=True):
    return staff.api.post(
        f"/api/v1/sessions/{session_id}/attendance", json={"user_id": user_id, "attended": attended}
    )


def test_attendance_before_the_session_starts_is_409(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"])
    person = factory.actor()
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    response = _attend(staff, session["id"], person.id)
    assert response.status_code == 409
    assert response.json()["detail"] == "Отмечать посещаемость можно после начала занятия."
    assert _attendance(staff, session["id"]) == {person.id: None}
    assert person.api.get("/api/v1/me/certificates").json()["items"] == []


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
    assert _attendance(staff, session["id"]) == {person.id: None}
    assert person.api.get("/api/v1/me/certificates").json()["items"] == []


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


def _anonymous(factory) -> TestClient:
    return TestClient(factory.app, base_url="http://testserver", follow_redirects=False)


def _certificate_row(factory, number: str) -> Certificate:
    with factory.database.session_scope(write=False) as db:
        row = db.scalar(select(Certificate).where(Certificate.number == number))
        assert row is not None
        db.expunge(row)
        return row


def test_withdrawn_attendance_revokes_the_certificate_and_attending_reinstates_it(
    factory,
) -> None:
    staff = factory.actor(Role.staff, full_name="Staff Member")
    course = make_course(staff.api, title="Investor readiness", investor_readiness=True)
    session = make_session(staff.api, course["id"])
    person = factory.actor(browser=True, full_name="Дарья Стартапова")
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    move_session(factory.database, session["id"], starts_in=timedelta(hours=-1))
    issued = _attend(staff, session["id"], person.id).json()["certificate"]
    number, code = issued["number"], issued["verify_code"]
    assert (issued["status"], issued["revoked_at"]) == ("valid", None)

    withdrawn = _attend(staff, session["id"], person.id, attended=False)
    assert withdrawn.status_code == 200
    body = withdrawn.json()
    assert (body["completed"], body["certificate"]["number"]) == (False, number)
    assert body["certificate"]["status"] == "revoked"
    row = _certificate_row(factory, number)
    assert row.revoked_at is not None and row.revoked_by_id == staff.id
    assert factory.count(Certificate) == 1
    with factory.database.session_scope(write=False) as db:
        record = resolve(db, code)
        assert record is not None and record.status == "revoked"
        assert has_completed_investor_readiness(db, db.get(User, person.id)) is False
        told = db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "training.certificate_revoked")
        ).all()
        assert [m.recipient_id for m in told] == [person.id]
        assert number in told[0].subject and f"/certificates/{row.id}" in told[0].body_text
    for lang, words in (("ru", "Аннулирован"), ("en", "Revoked on")):
        with use_locale(lang, "Europe/Moscow"):
            revoked_on = f"{words} {format_date(row.revoked_at)}"
        page = _anonymous(factory).get(f"/verify/{code}?lang={lang}")
        assert page.status_code == 200
        assert revoked_on in page.text and number in page.text
        assert ("Действителен" if lang == "ru" else ">Valid<") not in page.text
        mine = person.browser.get(f"/certificates/{row.id}?lang={lang}")
        assert revoked_on in mine.text
        assert revoked_on in person.browser.get(f"/trainings/mine?lang={lang}").text
    assert person.api.get("/api/v1/me/certificates").json()["items"][0]["status"] == "revoked"

    # Attending again completes the course again: the same certificate is valid once more.
    again = _attend(staff, session["id"], person.id).json()["certificate"]
    assert (again["number"], again["verify_code"], again["status"]) == (number, code, "valid")
    row = _certificate_row(factory, number)
    assert (row.revoked_at, row.revoked_by_id, factory.count(Certificate)) == (None, None, 1)
    with factory.database.session_scope(write=False) as db:
        record = resolve(db, code)
        assert record is not None and record.status == "valid"
        assert has_completed_investor_readiness(db, db.get(User, person.id)) is True
        actions = db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "training_certificate")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "training.certificate_issued",
        "training.certificate_revoked",
        "training.certificate_reinstated",
    ]
    assert "Valid" in person.browser.get(f"/certificates/{row.id}?lang=en").text


def test_withdrawing_one_attendance_keeps_a_certificate_the_rule_still_grants(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, completion_rule="at_least", min_sessions=1)
    sessions = [make_session(staff.api, course["id"], hours=h) for h in (30, 60)]
    person = factory.actor()
    for s in sessions:
        person.api.post(f"/api/v1/sessions/{s['id']}/enrolments")
        move_session(factory.database, s["id"], starts_in=timedelta(hours=-3))
    number = _attend(staff, sessions[0]["id"], person.id).json()["certificate"]["number"]
    _attend(staff, sessions[1]["id"], person.id)
    kept = _attend(staff, sessions[0]["id"], person.id, attended=False).json()
    assert (kept["completed"], kept["certificate"]["status"]) == (True, "valid")
    assert _certificate_row(factory, number).revoked_at is None


def test_certificate_page_shows_the_qr_code_to_the_holder_and_staff_only(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    course = make_course(staff.api, title="Pitching")
    session = make_session(staff.api, course["id"])
    person = factory.actor(browser=True, full_name="Иван Основатель")
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    move_session(factory.database, session["id"], starts_in=timedelta(hours=-1))
    certificate = _attend(staff, session["id"], person.id).json()["certificate"]
    path = f"/certificates/{certificate['id']}"

    page = person.browser.get(f"{path}?lang=en")
    assert page.status_code == 200
    assert '<svg role="img" class="qr-code"' in page.text
    assert f'href="{certificate["verify_url"]}"' in page.text
    assert "Иван Основатель" in page.text and certificate["number"] in page.text
    assert person.browser.get("/trainings/mine?lang=en").text.count(f'href="{path}"') == 1
    assert staff.browser.get(path).status_code == 200
    assert factory.actor(browser=True).browser.get(path).status_code == 404
    assert person.browser.get("/certificates/999999").status_code == 404
    anonymous = _anonymous(factory).get(path)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
