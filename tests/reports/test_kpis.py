"""GET /api/v1/reports/kpis: the hand-computed figures of tests/reports/helpers.py, the filters,
and who may ask."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from app.accounts.models import Role
from app.db import utcnow
from app.training.models import Certificate
from tests.reports.helpers import NSO, TOMSK, build_history

URL = "/api/v1/reports/kpis"


def _funnel(body: dict[str, Any]) -> dict[str, tuple[int, float | None]]:
    return {s["stage"]: (s["count"], s["conversion"]) for s in body["funnel"]}


def _groups(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    stages = ("applied", "approved", "trained", "met_investor", "funded")
    return {row["group"]: [row[s] for s in stages] for row in rows}


def test_kpis_match_the_hand_computed_history(factory) -> None:
    history = build_history(factory.database)[0]
    staff = factory.actor(Role.staff)

    response = staff.api.get(URL)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filters"] == {"date_from": None, "date_to": None, "region": None, "sector": None}
    assert _funnel(body) == {
        "applied": (6, None),
        "approved": (4, 0.6667),
        "trained": (3, 0.75),
        "met_investor": (2, 0.6667),
        "funded": (1, 0.5),
    }
    assert body["funnel"][-1]["overall"] == 0.1667
    assert _groups(body["funnel_by_region"]) == {NSO: [3, 3, 2, 2, 1], TOMSK: [3, 1, 1, 0, 0]}
    assert _groups(body["funnel_by_sector"]) == {
        "software": [4, 3, 3, 2, 1],
        "hardware": [2, 1, 0, 0, 0],
    }
    assert body["time_to_decision"] == {"decided": 5, "median_days": 10.0, "p90_days": 26.0}
    assert body["decisions"] == {"approved": 4, "rejected": 1, "approval_rate": 0.8}

    reviews = body["reviews"]
    r1, r2, r3 = history.reviewers
    assert [(r["reviewer_id"], r["open_reviews"]) for r in reviews["open_by_reviewer"]] == [
        (r1, 1),
        (r2, 1),
    ]
    assert reviews["committee_mean"] == 3.5
    assert {
        r["reviewer_id"]: (r["reviews"], r["mean_score"], r["difference"])
        for r in reviews["calibration"]
    } == {r1: (3, 3.33, -0.17), r2: (2, 4.0, 0.5), r3: (1, 3.0, -0.5)}

    assert body["training"] == {
        "sessions": 3,
        "capacity": 9,
        "seats_taken": 7,
        "fill_rate": 0.7778,
        "waitlist_length": 2,
        "attendance_marked": 4,
        "no_shows": 1,
        "no_show_rate": 0.25,
    }
    assert body["meetings"] == {
        "investors": 2,
        "meetings": 3,
        "meetings_per_investor": 1.5,
        "requests": 6,
        "requests_accepted": 3,
        "requests_declined": 1,
        "requests_expired": 1,
        "acceptance_rate": 0.6,
    }
    assert body["introductions"] == {
        "requested": 4,
        "forwarded": 3,
        "accepted": 2,
        "with_outcome": 2,
    }
    assert body["investment"] == {
        "total_rub": 1_500_000,
        "deals": 2,
        "by_month": [
            {"month": "2026-03", "deals": 1, "amount_rub": 1_000_000},
            {"month": "2026-04", "deals": 1, "amount_rub": 500_000},
        ],
    }


def test_period_filter_selects_applications_submitted_in_it(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff)

    body = staff.api.get(URL, params={"from": "2026-02-01", "to": "2026-02-28"}).json()

    assert _funnel(body)["applied"] == (2, None)
    assert _funnel(body)["approved"] == (1, 0.5)
    assert _funnel(body)["trained"] == (0, 0.0)
    assert body["time_to_decision"] == {"decided": 2, "median_days": 17.0, "p90_days": 27.4}
    assert body["decisions"] == {"approved": 1, "rejected": 1, "approval_rate": 0.5}
    assert body["training"]["sessions"] == 1
    assert body["training"]["fill_rate"] == 0.5
    assert body["training"]["no_show_rate"] == 1.0
    assert body["meetings"]["requests"] == 2
    assert body["investment"]["total_rub"] == 0


def test_region_and_sector_filters_select_organisations(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff)

    tomsk = staff.api.get(URL, params={"region": TOMSK}).json()
    hardware = staff.api.get(URL, params={"sector": "hardware"}).json()

    assert [s["count"] for s in tomsk["funnel"]] == [3, 1, 1, 0, 0]
    assert tomsk["investment"]["total_rub"] == 500_000
    assert tomsk["introductions"]["requested"] == 1
    assert tomsk["time_to_decision"]["median_days"] == 18.0
    assert [s["count"] for s in hardware["funnel"]] == [2, 1, 0, 0, 0]
    assert hardware["meetings"]["requests"] == 2
    assert _groups(hardware["funnel_by_sector"]) == {"hardware": [2, 1, 0, 0, 0]}


def test_an_empty_cluster_reports_zeros_and_no_rates(factory) -> None:
    staff = factory.actor(Role.staff)

    body = staff.api.get(URL).json()

    assert [s["count"] for s in body["funnel"]] == [0, 0, 0, 0, 0]
    assert body["funnel"][1]["conversion"] is None
    assert body["time_to_decision"] == {"decided": 0, "median_days": None, "p90_days": None}
    assert body["decisions"]["approval_rate"] is None
    assert body["reviews"] == {"open_by_reviewer": [], "committee_mean": None, "calibration": []}
    assert body["training"]["fill_rate"] is None
    assert body["investment"] == {"total_rub": 0, "deals": 0, "by_month": []}


def test_kpis_are_for_staff_only(factory, client) -> None:
    member = factory.actor()
    chair = factory.actor(Role.chair, Role.committee)
    admin = factory.actor(Role.admin)

    assert client.get(URL).status_code == 401
    assert member.api.get(URL).status_code == 403
    refused = chair.api.get(URL)
    assert refused.status_code == 403
    assert "funnel" not in refused.json()
    allowed = admin.api.get(URL)
    assert allowed.status_code == 200
    assert [stage["stage"] for stage in allowed.json()["funnel"]] == [
        "applied",
        "approved",
        "trained",
        "met_investor",
        "funded",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"sector": "astrology"}, "sector"),
        ({"region": "x" * 101}, "region"),
    ],
)
def test_bad_filters_are_422_naming_the_field(factory, params, field) -> None:
    staff = factory.actor(Role.staff)

    response = staff.api.get(URL, params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_a_revoked_certificate_no_longer_counts_as_trained(factory) -> None:
    build_history(factory.database)
    staff = factory.actor(Role.staff)
    assert _funnel(staff.api.get(URL).json())["trained"] == (3, 0.75)

    with factory.database.session_scope() as session:
        session.execute(update(Certificate).values(revoked_at=utcnow()))

    assert _funnel(staff.api.get(URL).json())["trained"] == (0, 0.0)
