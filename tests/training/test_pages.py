from __future__ import annotations

import csv
import io
from datetime import timedelta

from app.accounts.models import Role
from tests.html import Page, csrf_from
from tests.training.helpers import make_course, make_session, move_session


def _seats_left(html: str) -> list[str]:
    return [element.text for element in Page(html).find_all(class_="seats-left")]


def test_catalogue_shows_seats_left_and_enrols_from_the_page(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(
        staff.api, make_course(staff.api, title="Market sizing")["id"], capacity=2
    )
    person = factory.actor(browser=True)
    page = person.browser.get("/sessions?lang=en")
    assert page.status_code == 200
    assert _seats_left(page.text) == ["2 / 2"]
    response = person.browser.post(
        f"/sessions/{session['id']}/enrol", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303
    after = person.browser.get("/sessions?lang=en")
    assert _seats_left(after.text) == ["1 / 2"]
    mine = person.browser.get("/trainings/mine?lang=en")
    assert "Market sizing" in mine.text and "Enrolled" in mine.text
    assert factory.actor(browser=True).browser.get("/sessions").status_code == 200


def test_staff_session_page_marks_attendance_and_exports_csv(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    session = make_session(
        staff.api, make_course(staff.api, completion_rule="at_least", min_sessions=1)["id"]
    )
    person = factory.actor(full_name="=Evil Formula")
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    move_session(factory.database, session["id"], starts_in=timedelta(minutes=-30))
    page = staff.browser.get(f"/sessions/{session['id']}?lang=en")
    assert page.status_code == 200
    assert "Enrolments and attendance" in page.text
    response = staff.browser.post(
        f"/sessions/{session['id']}/attendance",
        data={"csrf_token": csrf_from(page.text), "user_id": str(person.id), "attended": "yes"},
    )
    assert response.status_code == 303
    exported = staff.browser.get(f"/sessions/{session['id']}/enrolments.csv?lang=en")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Full name", "Email", "Status"]
    assert rows[1][0] == "'=Evil Formula"
    assert (rows[1][2], rows[1][5]) == ("Enrolled", "yes")
    certificates = person.api.get("/api/v1/me/certificates").json()
    assert certificates["total"] == 1
    outsider = factory.actor(browser=True)
    assert outsider.browser.get(f"/sessions/{session['id']}/enrolments.csv").status_code == 403
    assert (
        "Enrolments and attendance"
        not in outsider.browser.get(f"/sessions/{session['id']}?lang=en").text
    )


def test_staff_create_course_and_session_from_pages(factory) -> None:
    staff = factory.actor(Role.staff, browser=True, timezone="Europe/Moscow")
    page = staff.browser.get("/courses")
    token = csrf_from(page.text)
    created = staff.browser.post(
        "/courses",
        data={
            "csrf_token": token,
            "title": "Pitching",
            "description": "",
            "language": "en",
            "completion_rule": "all_sessions",
            "members_only": "on",
        },
    )
    assert created.status_code == 303
    course_url = created.headers["location"]
    bad = staff.browser.post(
        f"{course_url}/sessions",
        data={
            "csrf_token": token,
            "starts_at": "2020-01-01T10:00",
            "ends_at": "2020-01-01T12:00",
            "capacity": "5",
            "location": "Hall",
        },
    )
    assert bad.status_code == 422
    good = staff.browser.post(
        f"{course_url}/sessions",
        data={
            "csrf_token": token,
            "starts_at": "2031-05-01T10:00",
            "ends_at": "2031-05-01T12:00",
            "capacity": "5",
            "location": "Hall",
        },
    )
    assert good.status_code == 303
    session_id = int(good.headers["location"].rsplit("/", 1)[1])
    stored = staff.api.get(f"/api/v1/sessions/{session_id}").json()
    assert stored["starts_at"] in ("2031-05-01T07:00:00Z", "2031-05-01T07:00:00+00:00")
    assert factory.actor(browser=True).browser.get("/courses").status_code == 403


def test_my_trainings_lists_upcoming_sessions_then_the_past_twenty_at_a_time(factory) -> None:
    staff = factory.actor(Role.staff)
    person = factory.actor(browser=True)
    course_id = make_course(staff.api)["id"]
    days_ago = {}
    for n in range(23):
        session_id = make_session(staff.api, course_id, hours=48 + n)["id"]
        person.api.post(f"/api/v1/sessions/{session_id}/enrolments")
        if n >= 2:  # 21 past sessions, the latest (n = 2) one day ago
            move_session(factory.database, session_id, starts_in=timedelta(days=-(n - 1)))
            days_ago[session_id] = n - 1

    def session_links(html: str, section: str) -> list[int]:
        page = Page(html)
        if section == "upcoming":
            scope = page.find_all("table")[0]  # the upcoming sessions come first, untitled
        else:
            [scope] = [s for s in page.find_all("section") if s.find("h2").text == "Past sessions"]
        return [
            int(link.href.removeprefix("/sessions/"))
            for link in scope.links()
            if link.href.startswith("/sessions/")
        ]

    first = person.browser.get("/trainings/mine?lang=en").text
    second = person.browser.get("/trainings/mine?lang=en&offset=20").text

    by_recency = sorted(days_ago, key=days_ago.__getitem__)
    assert len(session_links(first, "upcoming")) == 2
    assert session_links(first, "past") == by_recency[:20]
    assert "1–20 of 21" in first
    assert session_links(second, "past") == by_recency[20:]
    assert session_links(second, "upcoming") == session_links(first, "upcoming")


def test_staff_page_says_when_withdrawing_attendance_revokes_the_certificate(factory) -> None:
    staff = factory.actor(Role.staff, browser=True, locale="en")
    session = make_session(staff.api, make_course(staff.api)["id"])
    person = factory.actor()
    person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    move_session(factory.database, session["id"], starts_in=timedelta(minutes=-30))
    path = f"/sessions/{session['id']}"
    messages = []
    for attended in ("yes", "no", "yes"):
        token = csrf_from(staff.browser.get(f"{path}?lang=en").text)
        staff.browser.post(
            f"{path}/attendance",
            data={"csrf_token": token, "user_id": str(person.id), "attended": attended},
        )
        page = staff.browser.get(f"{path}?lang=en").text
        messages.append(Page(page).flashes)
    number = person.api.get("/api/v1/me/certificates").json()["items"][0]["number"]
    assert messages == [
        [f"Attendance saved. Certificate {number} issued."],
        [f"Attendance saved. Certificate {number} revoked."],
        [f"Attendance saved. Certificate {number} is valid again."],
    ]
