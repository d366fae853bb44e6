from __future__ import annotations

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser

from app.accounts.models import Role
from tests.factories import csrf_from
from tests.training.helpers import make_course, make_session, move_session


class _Cells(HTMLParser):
    """The text of every table cell with a given class."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class, self.inside, self.found = css_class, False, []

    def handle_starttag(self, tag, attrs):
        if self.css_class in (dict(attrs).get("class") or "").split():
            self.inside = True
            self.found.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "dd"):
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.found[-1] += data.strip()


def _cells(html: str, css_class: str) -> list[str]:
    parser = _Cells(css_class)
    parser.feed(html)
    return parser.found


def test_catalogue_shows_seats_left_and_enrols_from_the_page(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(
        staff.api, make_course(staff.api, title="Market sizing")["id"], capacity=2
    )
    person = factory.actor(browser=True)
    page = person.browser.get("/sessions?lang=en")
    assert page.status_code == 200
    assert _cells(page.text, "seats-left") == ["2 / 2"]
    response = person.browser.post(
        f"/sessions/{session['id']}/enrol", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303
    after = person.browser.get("/sessions?lang=en")
    assert _cells(after.text, "seats-left") == ["1 / 2"]
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
        part = html.split("<h2>Past sessions</h2>")[0 if section == "upcoming" else 1]
        part = part.split("<h2>Certificates</h2>")[0]
        return [int(chunk.split('"', 1)[0]) for chunk in part.split('href="/sessions/')[1:]]

    first = person.browser.get("/trainings/mine?lang=en").text
    second = person.browser.get("/trainings/mine?lang=en&offset=20").text

    by_recency = sorted(days_ago, key=days_ago.__getitem__)
    assert len(session_links(first, "upcoming")) == 2
    assert session_links(first, "past") == by_recency[:20]
    assert "1–20 of 21" in first
    assert session_links(second, "past") == by_recency[20:]
    assert session_links(second, "upcoming") == session_links(first, "upcoming")
