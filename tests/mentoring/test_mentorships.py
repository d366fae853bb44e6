"""Mentorships: staff pair an organisation with a mentor; the mentor logs sessions; the mentor,
staff and the organisation's owner see them, nobody else."""

from __future__ import annotations

from datetime import date, timedelta

from app.accounts.models import Role
from app.mentoring.models import MentoringSession
from tests.factories import Factory
from tests.mentoring.helpers import pair, register_project


def _paired(factory: Factory):  # type: ignore[no-untyped-def]
    staff = factory.actor(Role.staff)
    mentor = factory.actor(Role.mentor, full_name="Михаил Наставников")
    team = factory.actor()
    project = register_project(team)
    mentorship = pair(staff, project["id"], mentor.id)
    return staff, mentor, team, project, mentorship


def test_staff_pair_a_project_with_a_mentor_only(factory: Factory) -> None:
    staff, mentor, team, project, mentorship = _paired(factory)
    assert {k: mentorship[k] for k in ("organisation_id", "mentor_id", "status")} == {
        "organisation_id": project["id"],
        "mentor_id": mentor.id,
        "status": "active",
    }
    body = {"organisation_id": project["id"], "mentor_id": mentor.id}
    assert staff.api.post("/api/v1/mentorships", json=body).status_code == 409
    for outsider in (team, mentor, factory.actor(Role.committee)):
        assert outsider.api.post("/api/v1/mentorships", json=body).status_code == 403

    not_a_mentor = factory.actor()
    refused = staff.api.post(
        "/api/v1/mentorships",
        json={"organisation_id": project["id"], "mentor_id": not_a_mentor.id},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "mentor_id"]
    missing = staff.api.post(
        "/api/v1/mentorships", json={"organisation_id": 10**6, "mentor_id": mentor.id}
    )
    assert missing.status_code == 422


def test_each_side_sees_its_own_mentorships(factory: Factory) -> None:
    staff, mentor, team, _project, mentorship = _paired(factory)
    other_mentor = factory.actor(Role.mentor)
    other_team = factory.actor()
    other = pair(staff, register_project(other_team, name="Другой")["id"], other_mentor.id)

    def ids(actor) -> list[int]:  # type: ignore[no-untyped-def]
        response = actor.api.get("/api/v1/mentorships")
        assert response.status_code == 200
        return sorted(item["id"] for item in response.json()["items"])

    assert ids(staff) == sorted([mentorship["id"], other["id"]])
    assert ids(mentor) == [mentorship["id"]]
    assert ids(team) == [mentorship["id"]]
    assert ids(other_team) == [other["id"]]
    assert ids(factory.actor()) == []
    url = f"/api/v1/mentorships/{mentorship['id']}"
    assert other_mentor.api.get(url).status_code == 404
    assert other_team.api.get(url).status_code == 404
    assert team.api.get(url).json()["mentor_name"] == "Михаил Наставников"


def test_the_mentor_logs_sessions_that_the_team_and_staff_see(factory: Factory) -> None:
    staff, mentor, team, _project, mentorship = _paired(factory)
    url = f"/api/v1/mentorships/{mentorship['id']}/sessions"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    body = {"held_on": yesterday, "minutes": 60, "notes": "Customer interviews"}

    logged = mentor.api.post(url, json=body)
    assert logged.status_code == 201, logged.text
    assert {k: logged.json()[k] for k in ("held_on", "minutes", "notes")} == body
    today = mentor.api.post(url, json={**body, "held_on": date.today().isoformat()})
    assert today.status_code == 201

    assert team.api.post(url, json=body).status_code == 403
    assert staff.api.post(url, json=body).status_code == 403
    assert factory.actor().api.post(url, json=body).status_code == 404
    assert factory.actor(Role.mentor).api.post(url, json=body).status_code == 404

    for viewer in (mentor, staff, team):
        items = viewer.api.get(url).json()["items"]
        assert [i["minutes"] for i in items] == [60, 60]
    assert factory.actor().api.get(url).status_code == 404
    listed = team.api.get("/api/v1/mentorships").json()["items"][0]
    assert (listed["sessions_count"], listed["minutes_total"]) == (2, 120)
    assert factory.count(MentoringSession) == 2


def test_sessions_are_checked(factory: Factory) -> None:
    _staff, mentor, _team, _project, mentorship = _paired(factory)
    url = f"/api/v1/mentorships/{mentorship['id']}/sessions"
    today = date.today()
    cases = {
        "held_on": {"held_on": (today + timedelta(days=1)).isoformat(), "minutes": 30},
        "minutes": {"held_on": today.isoformat(), "minutes": 0},
    }
    for field, body in cases.items():
        refused = mentor.api.post(url, json={**body, "notes": ""})
        assert refused.status_code == 422, field
        assert refused.json()["detail"][0]["loc"] == ["body", field]
    assert mentor.api.post(url, json={"held_on": "soon", "minutes": 30}).status_code == 422
    assert (
        mentor.api.post(url, json={"held_on": today.isoformat(), "minutes": -5}).status_code == 422
    )
    assert factory.count(MentoringSession) == 0


def test_pages_pair_log_and_show_the_session_log(factory: Factory) -> None:
    from tests.html import csrf_from

    staff = factory.actor(Role.staff, browser=True, locale="en")
    mentor = factory.actor(Role.mentor, browser=True, full_name="Mike Mentor")
    team = factory.actor(browser=True)
    project = register_project(team, name="FieldNet")
    assert staff.browser and mentor.browser and team.browser

    page = staff.browser.get("/mentorships?lang=en")
    assert page.status_code == 200 and "Pair a project with a mentor" in page.text
    assert "FieldNet" in page.text and "Mike Mentor" in page.text
    paired = staff.browser.post(
        "/mentorships/new",
        data={
            "organisation_id": project["id"],
            "mentor_id": mentor.id,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert paired.status_code == 303
    detail = paired.headers["location"]

    mentor_home = mentor.browser.get("/")
    assert 'href="/mentorships"' in mentor_home.text  # the menu links only where it may go
    form = mentor.browser.get(detail)
    assert form.status_code == 200 and 'class="session-form"' in form.text
    logged = mentor.browser.post(
        f"{detail}/sessions",
        data={
            "held_on": date.today().isoformat(),
            "minutes": "45",
            "notes": "Pricing model",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert logged.status_code == 303
    future = mentor.browser.post(
        f"{detail}/sessions",
        data={
            "held_on": (date.today() + timedelta(days=3)).isoformat(),
            "minutes": "45",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert future.status_code == 422

    seen = team.browser.get(detail)
    assert seen.status_code == 200
    assert "Mike Mentor" in seen.text and "Pricing model" in seen.text
    assert 'class="session-form"' not in seen.text
    assert "Наставник" in seen.text  # the team's page in Russian
    assert 'href="/mentorships"' in team.browser.get("/").text
    outsider = factory.actor(browser=True)
    assert outsider.browser is not None
    assert outsider.browser.get(detail).status_code == 404
    assert 'href="/mentorships"' not in outsider.browser.get("/").text
