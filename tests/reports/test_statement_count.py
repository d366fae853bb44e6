"""The report is computed by the database: the number of SQL statements does not grow with the
amount of data."""

from __future__ import annotations

from app.accounts.models import Role
from tests.reports.helpers import build_history, count_statements


def test_kpis_and_dashboard_issue_the_same_statements_at_1x_and_10x_data(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    build_history(factory.database, copies=1)
    staff.api.get("/api/v1/reports/kpis")  # the first use of a token also records it was used

    def measure() -> tuple[int, int, int, dict]:
        with count_statements(factory.database) as api_statements:
            kpis = staff.api.get("/api/v1/reports/kpis")
        with count_statements(factory.database) as page_statements:
            page = staff.browser.get("/reports")
        with count_statements(factory.database) as csv_statements:
            export = staff.browser.get("/reports?format=csv")
        assert kpis.status_code == page.status_code == export.status_code == 200
        return len(api_statements), len(page_statements), len(csv_statements), kpis.json()

    api_1x, page_1x, csv_1x, body_1x = measure()
    build_history(factory.database, copies=9)
    api_10x, page_10x, csv_10x, body_10x = measure()

    assert (api_10x, page_10x, csv_10x) == (api_1x, page_1x, csv_1x)
    # The data really grew tenfold, and the rates did not move.
    assert [s["count"] for s in body_10x["funnel"]] == [60, 40, 30, 20, 10]
    assert body_10x["funnel"] == [
        {**stage, "count": stage["count"] * 10} for stage in body_1x["funnel"]
    ]
    # 50 durations, ten each of 4, 6, 10, 20, 30 days: p90 sits between the 45th and 46th (30).
    assert body_10x["time_to_decision"] == {"decided": 50, "median_days": 10.0, "p90_days": 30.0}
    assert body_10x["investment"]["total_rub"] == 15_000_000
    assert body_10x["training"]["fill_rate"] == body_1x["training"]["fill_rate"]
