"""Build membership applications through the API, step by step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.accounts.models import Organisation, Role
from tests.factories import Actor, Factory

SECTIONS = {
    "summary": "Геоинформационная платформа для агрохолдингов",
    "innovation": "Собственные алгоритмы обработки спутниковых снимков",
    "market": "Агрохолдинги Сибири, 400 потенциальных клиентов",
    "team": "Пять инженеров, два кандидата наук",
    "funding_needs": "20 млн рублей на два года",
}
GOOD_REVIEW = {
    "scores": {"innovation": 5, "team": 4, "market": 4, "cluster_fit": 5},
    "comment": "Secret reviewer comment about the team",
    "recommendation": "approve",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Case:
    applicant: Actor
    organisation: Organisation
    application_id: int
    chair: Actor | None = None
    staff: Actor | None = None
    reviewers: list[Actor] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"/api/v1/applications/{self.application_id}"


def draft(factory: Factory, **kwargs: Any) -> Case:
    applicant = factory.actor(**kwargs)
    organisation = factory.organisation(applicant.user, name="ГеоСкан")
    response = applicant.api.post(
        "/api/v1/applications", json={"organisation_id": organisation.id, **SECTIONS}
    )
    assert response.status_code == 201, response.text
    return Case(applicant, organisation, response.json()["id"])


def attach_business_plan(case: Case) -> Any:
    """The document every application needs before it is submitted (by default)."""
    response = case.applicant.api.post(
        f"{case.url}/attachments",
        files={"file": ("business-plan.pdf", PDF, "application/pdf")},
        data={"kind": "business_plan"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def submitted(factory: Factory, **kwargs: Any) -> Case:
    case = draft(factory, **kwargs)
    attach_business_plan(case)
    response = case.applicant.api.post(f"{case.url}/submit")
    assert response.status_code == 200, response.text
    return case


def under_review(factory: Factory, reviewers: int = 3, **kwargs: Any) -> Case:
    """Submitted, with `reviewers` committee members assigned who declared no conflict."""
    case = submitted(factory, **kwargs)
    case.chair = factory.actor(Role.chair, full_name="Chair Person")
    case.staff = factory.actor(Role.staff)
    for number in range(reviewers):
        reviewer = factory.actor(Role.committee, full_name=f"Reviewer Secretname{number}")
        response = case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})
        assert response.status_code == 201, response.text
        response = reviewer.api.post(f"{case.url}/declaration", json={"conflict": False})
        assert response.status_code == 200, response.text
        case.reviewers.append(reviewer)
    return case


def reviewed(factory: Factory, reviews: int = 3, **kwargs: Any) -> Case:
    case = under_review(factory, reviewers=reviews, **kwargs)
    for reviewer in case.reviewers:
        response = reviewer.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
        assert response.status_code == 200, response.text
    return case


def decide(case: Case, decision: str = "approved", reason: str = "Strong team") -> Any:
    assert case.chair is not None
    return case.chair.api.post(
        f"{case.url}/decision", json={"decision": decision, "reason": reason}
    )
