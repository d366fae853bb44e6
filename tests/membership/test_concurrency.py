"""Two chairs deciding at once: exactly one decision stands."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.accounts.models import Role
from app.membership.models import ApplicationEvent, Membership
from tests.factories import Factory
from tests.membership.helpers import reviewed


def test_concurrent_decisions_leave_exactly_one(factory: Factory) -> None:
    case = reviewed(factory)
    chairs = [factory.actor(Role.chair) for _ in range(2)]
    decisions = ["approved", "rejected"]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run(index: int) -> None:
        barrier.wait()
        response = chairs[index].api.post(
            f"{case.url}/decision", json={"decision": decisions[index], "reason": "Concurrent"}
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [200, 409]
    with factory.database.session_scope(write=False) as session:
        decided = session.scalar(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(ApplicationEvent.to_status.in_(["approved", "rejected"]))
        )
        assert decided == 1
        memberships = session.scalar(select(func.count()).select_from(Membership))
        status = case.applicant.api.get(case.url).json()["status"]
        assert memberships == (1 if status == "approved" else 0)


def test_concurrent_automatic_assignments_fill_each_place_once(factory: Factory) -> None:
    from app.membership.models import Assignment
    from tests.membership.helpers import submitted

    cases = [submitted(factory) for _ in range(3)]
    for _ in range(4):
        factory.actor(Role.committee)
    chairs = [factory.actor(Role.chair) for _ in range(2)]
    barrier = threading.Barrier(2)
    made: list[int] = []

    def run(index: int) -> None:
        barrier.wait()
        response = chairs[index].api.post(
            "/api/v1/applications/assignments/auto", json={"per_application": 3}
        )
        assert response.status_code == 200, response.text
        made.append(len(response.json()["assignments"]))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(made) == [0, 9]
    with factory.database.session_scope(write=False) as session:
        rows = session.execute(select(Assignment.application_id, Assignment.reviewer_id)).all()
    assert len(rows) == len(set(rows)) == 9
    assert {a for a, _r in rows} == {c.application_id for c in cases}
