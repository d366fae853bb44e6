"""What the application views cost in SQL statements, whatever the number of reviews and
reviewers, and that the list (read from plain rows) shows an application exactly as its page."""

from __future__ import annotations

from typing import Any

from app.accounts.identifiers import inn_with_check_digits
from app.accounts.models import Role
from app.db import Database
from app.membership.schemas import ApplicationOut, CommitteeApplicationOut
from bench.routes import APPLICATION_PAGE_BUDGET, QUERY_BUDGET, StatementCounter
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page
from tests.membership.helpers import GOOD_REVIEW, PDF, Case, decide, draft, reviewed


def _statements(database: Database, client: TestClient, url: str) -> tuple[int, Any]:
    client.get(url)  # compiled statements and templates are cached by the first call
    counter = StatementCounter(database.engine)
    with counter.counting():
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter.count, response


def test_reviews_list_runs_as_many_statements_for_five_reviews_as_for_two(
    factory: Factory, database: Database
) -> None:
    two = reviewed(factory, reviews=2)
    five = reviewed(factory, reviews=5)
    revised = {**GOOD_REVIEW, "comment": "Revised"}
    assert five.reviewers[0].api.put(f"{five.url}/reviews/mine", json=revised).status_code == 200
    assert two.staff is not None
    staff = two.staff.api

    count_two, response_two = _statements(database, staff, f"{two.url}/reviews")
    count_five, response_five = _statements(database, staff, f"{five.url}/reviews")

    assert [r["reviewer_name"] for r in response_two.json()["items"]] == [
        "Reviewer Secretname0",
        "Reviewer Secretname1",
    ]
    items = response_five.json()["items"]
    assert [(r["reviewer_id"], r["versions"]) for r in items] == [
        (reviewer.id, 1 if number == 0 else 0) for number, reviewer in enumerate(five.reviewers)
    ]
    assert items[0]["comment"] == "Revised"
    assert count_five == count_two <= QUERY_BUDGET


def test_application_page_statements_do_not_grow_with_reviews_or_committee_members(
    factory: Factory, database: Database
) -> None:
    two = reviewed(factory, reviews=2)
    five = reviewed(factory, reviews=5)
    staff = factory.actor(Role.staff, browser=True).browser
    assert staff is not None

    count_two, page_two = _statements(database, staff, f"/applications/{two.application_id}")
    count_five, page_five = _statements(database, staff, f"/applications/{five.application_id}")
    for number in range(3):
        factory.actor(Role.committee, full_name=f"Newcomer {number}")
    count_more, page_more = _statements(database, staff, f"/applications/{five.application_id}")

    reviews_table = [
        cell for cell in Page(page_five.text).texts("td") if cell.startswith("Reviewer")
    ]
    assert reviews_table == [f"Reviewer Secretname{n}" for n in range(5)] * 2  # both tables
    assert "Newcomer 2" in page_more.text and "Newcomer 2" not in page_two.text
    assert count_two == count_five == count_more <= APPLICATION_PAGE_BUDGET


def _rich_case(factory: Factory) -> Case:
    """Named parties, a document, a recused reviewer, three reviews and an approval."""
    case = draft(factory)
    rival = factory.organisation(factory.user(), name="Соперник")
    unregistered = inn_with_check_digits("770708389")
    response = case.applicant.api.patch(
        case.url, json={"competitors": [rival.inn], "shareholders": [unregistered]}
    )
    assert response.status_code == 200, response.text
    response = case.applicant.api.post(
        f"{case.url}/attachments",
        files={"file": ("plan.pdf", PDF, "application/pdf")},
        data={"kind": "business_plan"},
    )
    assert response.status_code == 201, response.text
    assert case.applicant.api.post(f"{case.url}/submit").status_code == 200
    case.chair = factory.actor(Role.chair, full_name="Chair Person")
    case.staff = factory.actor(Role.staff)
    recused = factory.actor(Role.committee, full_name="Recused Reviewer")
    for number in range(4):
        reviewer = recused if number == 3 else factory.actor(Role.committee)
        response = case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})
        assert response.status_code == 201, response.text
        conflict = (
            {"conflict": True, "kind": "competitor", "reason": "Works for a rival"}
            if reviewer is recused
            else {"conflict": False}
        )
        assert reviewer.api.post(f"{case.url}/declaration", json=conflict).status_code == 200
        if reviewer is not recused:
            scores = {**GOOD_REVIEW["scores"], "team": 2 + number}
            response = reviewer.api.put(
                f"{case.url}/reviews/mine", json={**GOOD_REVIEW, "scores": scores}
            )
            assert response.status_code == 200, response.text
        case.reviewers.append(reviewer)
    assert decide(case).status_code == 200
    return case


def test_list_shows_each_application_exactly_as_its_page_does(factory: Factory) -> None:
    case = _rich_case(factory)
    assert case.staff is not None and case.chair is not None
    other = reviewed(factory, reviews=1)

    for client, model in (
        (case.staff.api, CommitteeApplicationOut),
        (case.chair.api, CommitteeApplicationOut),
        (case.reviewers[0].api, CommitteeApplicationOut),
        (case.reviewers[3].api, CommitteeApplicationOut),
        (case.applicant.api, ApplicationOut),
    ):
        listed = client.get("/api/v1/applications").json()["items"]
        item = next(i for i in listed if i["id"] == case.application_id)
        assert item == client.get(case.url).json()
        assert model.model_validate(item).model_dump(mode="json") == item
    staff_items = case.staff.api.get("/api/v1/applications").json()["items"]
    assert {i["id"] for i in staff_items} == {case.application_id, other.application_id}

    item = case.staff.api.get(case.url).json()
    assert item["status"] == "approved" and item["membership_number"]
    assert (len(item["competitors"]), len(item["shareholders"]), len(item["attachments"])) == (
        1,
        1,
        1,
    )
    assert [e["status"] for e in item["timeline"]] == [
        "draft",
        "submitted",
        "under_review",
        "approved",
    ]
    assert [(a["reviewer_name"], a["conflict"]) for a in item["assignments"]][-1] == (
        "Recused Reviewer",
        True,
    )
    assert item["aggregate"]["reviews"] == 3
    applicant_item = case.applicant.api.get(case.url).json()
    assert "assignments" not in applicant_item and "aggregate" not in applicant_item
