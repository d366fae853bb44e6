"""The demo history gives the dashboard something to show, once."""

from __future__ import annotations

from app.accounts.models import Role
from app.demo import load_demo
from app.membership.models import Application


def test_demo_history_loads_once_and_fills_the_funnel(factory) -> None:
    applications = []
    for _ in range(2):
        with factory.database.session_scope() as session:
            load_demo(session)
        applications.append(factory.count(Application))
    staff = factory.actor(Role.staff)

    body = staff.api.get("/api/v1/reports/kpis").json()

    assert applications[0] == applications[1] >= 18
    counts = [s["count"] for s in body["funnel"]]
    assert counts[0] >= 18
    assert counts == sorted(counts, reverse=True)
    assert body["investment"]["total_rub"] > 0
