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
