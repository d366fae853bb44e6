"""Capacity holds under concurrent enrolments, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.accounts.models import Role
from app.training.models import Enrolment, EnrolmentStatus
from tests.training.helpers import make_course, make_session

REQUESTS = 50
CAPACITY = 7


def test_concurrent_enrolments_fill_exactly_the_capacity(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"], capacity=CAPACITY)
    actors = [factory.actor() for _ in range(REQUESTS)]
    barrier = threading.Barrier(REQUESTS)
    results: dict[int, tuple[int, dict]] = {}

    def fire(actor) -> None:
        barrier.wait()
        response = actor.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
        results[actor.id] = (response.status_code, response.json())

    threads = [threading.Thread(target=fire, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _ in results.values()) == [201] * REQUESTS
    statuses = [body["status"] for _, body in results.values()]
    assert statuses.count("enrolled") == CAPACITY
    assert statuses.count("waitlisted") == REQUESTS - CAPACITY
    positions = sorted(b["position"] for _, b in results.values() if b["status"] == "waitlisted")
    assert positions == list(range(1, REQUESTS - CAPACITY + 1))

    with factory.database.session_scope(write=False) as db:
        rows = db.scalars(select(Enrolment).where(Enrolment.session_id == session["id"])).all()
        seats = sorted(r.seat_number for r in rows if r.status == EnrolmentStatus.enrolled)
        queue = sorted(
            (r.queue_number, r.user_id) for r in rows if r.status == EnrolmentStatus.waitlisted
        )
    assert seats == list(range(1, CAPACITY + 1))
    # The waitlist order is the order in which the requests got the lock, and each answer
    # reported the place it was given.
    assert [results[user_id][1]["position"] for _, user_id in queue] == positions
    summary = staff.api.get(f"/api/v1/sessions/{session['id']}").json()
    assert (summary["enrolled"], summary["seats_left"], summary["waitlist_length"]) == (
        CAPACITY,
        0,
        REQUESTS - CAPACITY,
    )
    print(
        f"\nconcurrency: {REQUESTS} requests, {CAPACITY} enrolled, {REQUESTS - CAPACITY} waitlisted"
    )
