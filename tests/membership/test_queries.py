"""What the application views cost in SQL statements, whatever the number of reviews."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.db import Database
from bench.routes import QUERY_BUDGET, StatementCounter
from tests.factories import Factory
from tests.membership.helpers import GOOD_REVIEW, reviewed


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
