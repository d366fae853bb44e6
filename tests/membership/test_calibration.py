"""Normalised scores on the board and the calibration report, on a data set computed by hand.

Four reviewers score every criterion alike, so each weighted score is that number:

    application  R1  R2  Harsh  Lenient
    A1            4   4     3      5
    A2            3   3     2      4
    A3            2   2     1      3
    A4            –   –     3      –
    A5            –   –     –      3

Committee (14 reviews): M = 42 / 14 = 3.0; squared deviations sum to 14, S = √(14/13) = 1.0377.
With k = 5 prior reviews:
- R1 (and R2): n = 3, mean 3, SS = 2 → m′ = 3, s′ = √((2 + 5·14/13) / 7) = 1.0271;
- Harsh: n = 4, mean 2.25, SS = 2.75 → m′ = (9 + 15) / 9 = 2.6667, s′ = √((2.75 + 5·14/13) / 8)
  = 1.0084; Lenient mirrors it, m′ = 3.3333.
Normalised = M + S·(x − m′)/s′: R1's 4 → 4.0103, Harsh's 3 → 3.3430, Lenient's 5 → 4.7152,
Lenient's 3 → 2.6570, and so on. Normalised means: A1 4.02, A2 3.00, A3 1.98, A4 3.34, A5 2.66
(weighted means 4, 3, 2, 3, 3).

Calibration on A1–A3 (A4 and A5 have one review each): R1's difference is x − (x + x − 1 +
x + 1)/3 = 0; Harsh's (x − 1) − (x + x + x + 1)/3 = −4/3, effect −1.3333/1.0377 = −1.28; Lenient
+1.28."""

from __future__ import annotations

from app.accounts.models import Role
from app.membership.calibration import PRIOR_REVIEWS
from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.html import Page
from tests.membership.helpers import GOOD_REVIEW, Case, submitted
from tests.membership.test_queries import _statements

SCORES = {
    "A1": {"R1": 4, "R2": 4, "Harsh": 3, "Lenient": 5},
    "A2": {"R1": 3, "R2": 3, "Harsh": 2, "Lenient": 4},
    "A3": {"R1": 2, "R2": 2, "Harsh": 1, "Lenient": 3},
    "A4": {"Harsh": 3},
    "A5": {"Lenient": 3},
}


def review(case: Case, chair: Actor, reviewer: Actor, score: int) -> None:
    response = chair.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})
    assert response.status_code == 201, response.text
    response = reviewer.api.post(f"{case.url}/declaration", json={"conflict": False})
    assert response.status_code == 200, response.text
    scores = dict.fromkeys(("innovation", "team", "market", "cluster_fit"), score)
    response = reviewer.api.put(f"{case.url}/reviews/mine", json={**GOOD_REVIEW, "scores": scores})
    assert response.status_code == 200, response.text


class World:
    def __init__(self, factory: Factory) -> None:
        self.factory = factory
        self.chair = factory.actor(Role.chair, browser=True, full_name="Chair Person")
        self.reviewers = {
            name: factory.actor(Role.committee, full_name=f"Reviewer {name}")
            for name in ("R1", "R2", "Harsh", "Lenient")
        }
        self.cases: dict[str, Case] = {}

    def score(self, scores: dict[str, dict[str, int]]) -> None:
        for application, by_reviewer in scores.items():
            case = submitted(self.factory)
            for name, value in by_reviewer.items():
                review(case, self.chair, self.reviewers[name], value)
            self.cases[application] = case

    def board(self, query: str = "") -> dict[str, dict]:
        response = self.chair.api.get(f"/api/v1/applications?limit=100{query}")
        assert response.status_code == 200, response.text
        names = {case.application_id: name for name, case in self.cases.items()}
        return {names[item["id"]]: item for item in response.json()["items"]}


def test_board_rows_carry_the_normalised_mean_computed_by_hand(factory: Factory) -> None:
    world = World(factory)
    world.score(SCORES)

    board = world.board()
    means = {name: item["aggregate"]["normalised_mean"] for name, item in board.items()}
    weighted = {name: item["aggregate"]["weighted_mean"] for name, item in board.items()}
    assert weighted == {"A1": 4.0, "A2": 3.0, "A3": 2.0, "A4": 3.0, "A5": 3.0}
    assert means == {"A1": 4.02, "A2": 3.0, "A3": 1.98, "A4": 3.34, "A5": 2.66}

    # Sorted by it: the harsh reviewer's lone 3 ranks above the lenient reviewer's lone 3.
    ordered = list(world.board("&sort=normalised_mean"))
    assert ordered == ["A1", "A4", "A2", "A5", "A3"]

    # The chair's board page shows it beside the weighted mean and sorts by it too.
    browser = world.chair.browser
    assert browser is not None
    page = Page(browser.get("/applications?lang=en&sort=normalised_mean").text)
    rows = page.table_rows()
    header = rows[0]
    column = header.index("Normalised mean")
    assert header[column - 1] == "Weighted mean"
    assert [row[column] for row in rows[1:]] == ["4.02", "3.34", "3.00", "2.66", "1.98"]
    assert [row[column - 1] for row in rows[1:]] == ["4.00", "3.00", "3.00", "3.00", "2.00"]


def test_calibration_report_labels_the_harsh_and_the_lenient_with_their_effect_sizes(
    factory: Factory,
) -> None:
    world = World(factory)
    world.score(SCORES)

    response = world.chair.api.get("/api/v1/reports/calibration")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["committee_mean"], report["committee_sd"]) == (3.0, 1.04)
    assert report["prior_reviews"] == PRIOR_REVIEWS == 5
    rows = [
        (
            r["full_name"],
            r["reviews"],
            r["shared_applications"],
            r["difference"],
            r["effect_size"],
            r["label"],
        )
        for r in report["reviewers"]
    ]
    assert rows == [
        ("Reviewer Harsh", 4, 3, -1.33, -1.28, "harsh"),
        ("Reviewer R1", 3, 3, 0.0, 0.0, "in_line"),
        ("Reviewer R2", 3, 3, 0.0, 0.0, "in_line"),
        ("Reviewer Lenient", 4, 3, 1.33, 1.28, "lenient"),
    ]

    browser = world.chair.browser
    assert browser is not None
    page = Page(browser.get("/reports/calibration?lang=ru").text)
    table = page.table_rows()
    assert table[1][0] == "Reviewer Harsh" and table[1][-1] == "Строже других"
    assert table[-1][0] == "Reviewer Lenient" and table[-1][-1] == "Мягче других"
    board = Page(browser.get("/applications").text)
    assert "/reports/calibration" in [link.href for link in board.links()]

    download = browser.get("/reports/calibration?format=csv&lang=en")
    assert download.headers["content-type"].startswith("text/csv")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Reviewer,Reviews,Shared applications,Mean difference,Effect size,Assessment"
    assert lines[1] == "Reviewer Harsh,4,3,-1.33,-1.28,Harsh"


def test_a_reviewer_with_one_review_is_barely_adjusted(factory: Factory) -> None:
    world = World(factory)
    world.score(SCORES)
    newcomer = factory.actor(Role.committee, full_name="Reviewer Newcomer")
    case = submitted(factory)
    review(case, world.chair, newcomer, 5)

    item = world.chair.api.get(case.url).json()
    committee_mean = world.chair.api.get("/api/v1/reports/calibration").json()["committee_mean"]
    normalised = item["aggregate"]["normalised_mean"]
    # At most 1/(k + 1) of the way from the score to the committee mean.
    assert committee_mean < normalised < 5.0
    assert 5.0 - normalised <= (5.0 - committee_mean) / (PRIOR_REVIEWS + 1) + 0.01
    # Not in the report: one review shared with nobody.
    report = world.chair.api.get("/api/v1/reports/calibration").json()
    assert "Reviewer Newcomer" not in {r["full_name"] for r in report["reviewers"]}


def test_only_the_chair_and_staff_see_the_calibration(factory: Factory, client: TestClient) -> None:
    world = World(factory)
    world.score({"A1": SCORES["A1"], "A2": SCORES["A2"]})
    staff = factory.actor(Role.staff)
    assert staff.api.get("/api/v1/reports/calibration").json()["reviewers"]

    for others in (factory.actor(Role.committee), factory.actor(Role.observer), factory.actor()):
        assert others.api.get("/api/v1/reports/calibration").status_code == 403
    assert world.reviewers["Harsh"].api.get("/api/v1/reports/calibration").status_code == 403
    assert client.get("/api/v1/reports/calibration").status_code == 401
    applicant = world.cases["A1"].applicant
    assert applicant.api.get("/api/v1/reports/calibration").status_code == 403
    item = applicant.api.get(world.cases["A1"].url).json()
    assert "aggregate" not in item and "Reviewer" not in str(item)


def test_the_board_runs_as_many_statements_with_more_reviews(
    factory: Factory, database: object
) -> None:
    world = World(factory)
    world.score({"A1": SCORES["A1"]})
    browser = world.chair.browser
    assert browser is not None
    counts = []
    for url in ("/api/v1/applications", "/applications", "/applications?sort=normalised_mean"):
        client = browser if not url.startswith("/api") else world.chair.api
        counts.append(_statements(database, client, url)[0])  # type: ignore[arg-type]
    world.score({"A2": SCORES["A2"], "A3": SCORES["A3"], "A4": SCORES["A4"]})
    more = factory.actor(Role.committee, full_name="Reviewer More")
    review(world.cases["A2"], world.chair, more, 4)
    again = []
    for url in ("/api/v1/applications", "/applications", "/applications?sort=normalised_mean"):
        client = browser if not url.startswith("/api") else world.chair.api
        again.append(_statements(database, client, url)[0])  # type: ignore[arg-type]
    assert counts == again
