"""Business creation through the API: a project registered without an INN, its incubation
application taken to the committee's approval, and a mentor paired with it."""

from __future__ import annotations

from typing import Any

from app.accounts.identifiers import inn_with_check_digits
from app.accounts.models import Role
from tests.factories import Actor, Factory
from tests.membership.helpers import GOOD_REVIEW, PDF, SECTIONS

_numbers = iter(range(100, 100_000))


def new_inn() -> str:
    return inn_with_check_digits(f"{550000000 + next(_numbers):09d}")


def register_project(actor: Actor, name: str = "НейроПоле", **extra: Any) -> dict:
    response = actor.api.post(
        "/api/v1/organisations",
        json={
            "name": name,
            "kind": "project",
            "region": "Новосибирская область",
            "sector": "software",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def approve_incubation(factory: Factory, team: Actor, organisation_id: int) -> dict:
    """The project applies on the incubation track and the committee approves it."""
    created = team.api.post(
        "/api/v1/applications",
        json={"organisation_id": organisation_id, "track": "incubation", **SECTIONS},
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/applications/{created.json()['id']}"
    attached = team.api.post(
        f"{url}/attachments",
        files={"file": ("business-plan.pdf", PDF, "application/pdf")},
        data={"kind": "business_plan"},
    )
    assert attached.status_code == 201, attached.text
    assert team.api.post(f"{url}/submit").status_code == 200
    staff = factory.actor(Role.staff)
    chair = factory.actor(Role.chair)
    for _ in range(3):
        reviewer = factory.actor(Role.committee)
        assigned = staff.api.post(f"{url}/assignments", json={"reviewer_id": reviewer.id})
        assert assigned.status_code == 201, assigned.text
        assert reviewer.api.post(f"{url}/declaration", json={"conflict": False}).status_code == 200
        assert reviewer.api.put(f"{url}/reviews/mine", json=GOOD_REVIEW).status_code == 200
    decided = chair.api.post(f"{url}/decision", json={"decision": "approved", "reason": "Good"})
    assert decided.status_code == 200, decided.text
    return decided.json()


def pair(staff: Actor, organisation_id: int, mentor_id: int) -> dict:
    response = staff.api.post(
        "/api/v1/mentorships", json={"organisation_id": organisation_id, "mentor_id": mentor_id}
    )
    assert response.status_code == 201, response.text
    return response.json()
