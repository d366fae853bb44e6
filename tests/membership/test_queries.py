"""What the application views cost in SQL statements, whatever the number of reviews and
reviewers."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from app.accounts.models import Role
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


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_cell = tag == "td"

    def handle_endtag(self, tag: str) -> None:
        self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell and data.strip():
            self.cells.append(data.strip())


def _cells(html: str) -> list[str]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


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

    reviews_table = [cell for cell in _cells(page_five.text) if cell.startswith("Reviewer")]
    assert reviews_table == [f"Reviewer Secretname{n}" for n in range(5)] * 2  # both tables
    assert "Newcomer 2" in page_more.text and "Newcomer 2" not in page_two.text
    assert count_two == count_five == count_more <= QUERY_BUDGET
