"""Applications: drafts, editing, submission, withdrawal, visibility and the state machine."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.audit import AuditEntry, verify_chain
from app.membership.models import Application
from tests.factories import Factory
from tests.membership.helpers import SECTIONS, draft, submitted


def test_owner_creates_a_draft_and_edits_it(factory: Factory) -> None:
    case = draft(factory)
    body = case.applicant.api.get(case.url).json()
    assert body["status"] == "draft"
    assert body["summary"] == SECTIONS["summary"]
    assert "assignments" not in body

    response = case.applicant.api.patch(case.url, json={"team": "Шесть инженеров"})
    assert response.status_code == 200
    assert response.json()["team"] == "Шесть инженеров"


def test_a_partial_draft_can_be_saved_but_not_submitted(factory: Factory) -> None:
    owner = factory.actor()
    organisation = factory.organisation(owner.user)
    response = owner.api.post("/api/v1/applications", json={"organisation_id": organisation.id})
    assert response.status_code == 201
    submit = owner.api.post(f"/api/v1/applications/{response.json()['id']}/submit")
    assert submit.status_code == 422
    assert submit.json()["detail"][0]["loc"] == ["body", "summary"]


def test_only_one_open_application_per_organisation(factory: Factory) -> None:
    case = draft(factory)
    again = case.applicant.api.post(
        "/api/v1/applications", json={"organisation_id": case.organisation.id, **SECTIONS}
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "У этой организации уже есть открытая заявка."
    assert _statuses(factory) == {case.application_id: "draft"}
    case.applicant.api.post(f"{case.url}/withdraw")
    after_withdrawal = case.applicant.api.post(
        "/api/v1/applications", json={"organisation_id": case.organisation.id, **SECTIONS}
    )
    assert after_withdrawal.status_code == 201
    assert _statuses(factory) == {
        case.application_id: "withdrawn",
        after_withdrawal.json()["id"]: "draft",
    }


def test_only_the_owner_of_the_organisation_may_apply(factory: Factory) -> None:
    owner = factory.actor()
    stranger = factory.actor()
    organisation = factory.organisation(owner.user)
    response = stranger.api.post("/api/v1/applications", json={"organisation_id": organisation.id})
    assert response.status_code == 404
    assert _statuses(factory) == {}


def test_editing_after_submission_is_a_conflict(factory: Factory) -> None:
    case = submitted(factory)
    response = case.applicant.api.patch(case.url, json={"team": "Другая"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Заявку больше нельзя изменить."
    body = case.applicant.api.get(case.url).json()
    assert (body["status"], body["team"]) == ("submitted", SECTIONS["team"])


def test_another_users_application_is_not_found(factory: Factory) -> None:
    case = submitted(factory)
    stranger = factory.actor()
    committee = factory.actor(Role.committee)
    assert stranger.api.get(case.url).status_code == 404
    assert stranger.api.patch(case.url, json={"team": "x"}).status_code == 404
    assert stranger.api.post(f"{case.url}/withdraw").status_code == 404
    assert committee.api.get(case.url).status_code == 404
    body = case.applicant.api.get(case.url).json()
    assert (body["status"], body["team"]) == ("submitted", SECTIONS["team"])


def test_illegal_moves_are_conflicts(factory: Factory) -> None:
    case = submitted(factory)
    assert case.applicant.api.post(f"{case.url}/submit").status_code == 409
    assert case.applicant.api.post(f"{case.url}/withdraw").status_code == 200
    assert case.applicant.api.post(f"{case.url}/withdraw").status_code == 409
    refused = case.applicant.api.post(f"{case.url}/submit")
    assert refused.status_code == 409
    assert (
        refused.json()["detail"]
        == "Заявку в статусе «Отозвана» нельзя перевести в статус «Подана»."
    )
    body = case.applicant.api.get(case.url).json()
    assert [event["status"] for event in body["timeline"]] == ["draft", "submitted", "withdrawn"]


def test_unknown_fields_and_oversized_sections_are_refused(factory: Factory) -> None:
    case = draft(factory)
    assert case.applicant.api.patch(case.url, json={"status": "approved"}).status_code == 422
    oversized = case.applicant.api.patch(case.url, json={"team": "x" * 10_001})
    assert oversized.status_code == 422
    assert oversized.json()["detail"][0]["loc"] == ["body", "team"]
    body = case.applicant.api.get(case.url).json()
    assert (body["status"], body["team"]) == ("draft", SECTIONS["team"])


def _statuses(factory: Factory) -> dict[int, str]:
    with factory.database.session_scope(write=False) as session:
        return {
            id_: str(status)
            for id_, status in session.execute(select(Application.id, Application.status))
        }


def test_every_move_is_in_the_audit_chain_and_the_timeline(factory: Factory) -> None:
    case = submitted(factory)
    case.applicant.api.post(f"{case.url}/withdraw")
    body = case.applicant.api.get(case.url).json()
    assert [event["status"] for event in body["timeline"]] == ["draft", "submitted", "withdrawn"]
    with factory.database.session_scope(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "membership_application")
            .order_by(AuditEntry.id)
        ).all()
        assert actions == [
            "application.created",
            "application.attachment_added",
            "application.submitted",
            "application.withdrawn",
        ]
        assert verify_chain(session).ok


def test_list_shows_own_assigned_or_all_by_role(factory: Factory) -> None:
    mine = submitted(factory)
    other = submitted(factory)
    reviewer = factory.actor(Role.committee)
    staff = factory.actor(Role.staff)
    chair = factory.actor(Role.chair)
    staff.api.post(f"{other.url}/assignments", json={"reviewer_id": reviewer.id})

    def ids(actor: object) -> list[int]:
        body = actor.api.get("/api/v1/applications").json()  # type: ignore[attr-defined]
        assert body["total"] == len(body["items"])
        return sorted(item["id"] for item in body["items"])

    assert ids(mine.applicant) == [mine.application_id]
    assert ids(reviewer) == [other.application_id]
    assert ids(staff) == sorted([mine.application_id, other.application_id])
    assert ids(chair) == sorted([mine.application_id, other.application_id])
    filtered = staff.api.get("/api/v1/applications?status=under_review").json()
    assert [item["id"] for item in filtered["items"]] == [other.application_id]
