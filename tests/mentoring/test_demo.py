"""The demo's business creation: a project without an INN, an incubatee, with a mentor who has
logged two sessions; loading twice changes nothing."""

from __future__ import annotations

from app.accounts.models import Role
from app.demo import DEMO_PASSWORD, load_demo
from app.mentoring.models import MentoringSession, Mentorship
from tests.client import TestClient
from tests.factories import Factory


def test_demo_project_is_an_incubatee_with_a_mentor_and_two_sessions(factory: Factory) -> None:
    with factory.database.session_scope() as session:
        world = load_demo(session)
        mentor_email = world.users["mentor"].email
        team_email = world.users["team"].email
        assert Role.mentor in world.users["mentor"].roles
    with factory.database.session_scope() as session:
        load_demo(session)  # idempotent
    assert factory.count(Mentorship) == 1
    assert factory.count(MentoringSession) == 2

    api = TestClient(factory.app)
    token = api.post(
        "/api/v1/auth/token", json={"email": team_email, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    mentorships = api.get("/api/v1/mentorships", headers=headers).json()["items"]
    assert [(m["organisation_name"], m["sessions_count"]) for m in mentorships] == [
        ("НейроПоле", 2)
    ]
    members = api.get("/api/v1/members?limit=200").json()["items"]
    assert {"НейроПоле": "incubatee"}.items() <= {m["name"]: m["tier"] for m in members}.items()
    assert mentor_email == "mentor@demo.cluster"
