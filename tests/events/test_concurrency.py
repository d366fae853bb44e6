"""Capacity holds under concurrent registrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.accounts.models import Role
from app.events.models import Registration, RegistrationStatus
from tests.events.helpers import make_event

REQUESTS = 40
CAPACITY = 6


def test_concurrent_registrations_fill_exactly_the_capacity(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, capacity=CAPACITY)
    actors = [factory.actor() for _ in range(REQUESTS)]
    barrier = threading.Barrier(REQUESTS)
    results: dict[int, tuple[int, dict]] = {}

    def fire(actor) -> None:
        barrier.wait()
        response = actor.api.post(f"/api/v1/events/{event['id']}/registrations")
        results[actor.id] = (response.status_code, response.json())

    threads = [threading.Thread(target=fire, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _ in results.values()) == [201] * REQUESTS
    statuses = [body["status"] for _, body in results.values()]
    assert statuses.count("registered") == CAPACITY
    assert statuses.count("waitlisted") == REQUESTS - CAPACITY
    positions = sorted(b["position"] for _, b in results.values() if b["status"] == "waitlisted")
    assert positions == list(range(1, REQUESTS - CAPACITY + 1))

    with factory.database.session_scope(write=False) as db:
        rows = db.scalars(select(Registration).where(Registration.event_id == event["id"])).all()
        seats = sorted(r.seat_number for r in rows if r.status == RegistrationStatus.registered)
        queue = sorted(
            (r.queue_number, r.user_id) for r in rows if r.status == RegistrationStatus.waitlisted
        )
    assert seats == list(range(1, CAPACITY + 1))
    assert [results[user_id][1]["position"] for _, user_id in queue] == positions
    summary = staff.api.get(f"/api/v1/events/{event['id']}").json()
    assert (summary["registered"], summary["seats_left"], summary["waitlist_length"]) == (
        CAPACITY,
        0,
        REQUESTS - CAPACITY,
    )


def test_concurrent_give_ups_promote_each_waiting_person_once(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, capacity=4)
    url = f"/api/v1/events/{event['id']}/registrations"
    holders = [factory.actor() for _ in range(4)]
    waiting = [factory.actor() for _ in range(6)]
    for person in holders + waiting:
        assert person.api.post(url).status_code == 201
    barrier = threading.Barrier(len(holders))
    codes: list[int] = []

    def give_up(actor) -> None:
        barrier.wait()
        codes.append(actor.api.delete(f"{url}/mine").status_code)

    threads = [threading.Thread(target=give_up, args=(a,)) for a in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert codes == [200] * len(holders)
    roster = staff.api.get(url).json()["items"]
    seated = [r["user_id"] for r in roster if r["status"] == "registered"]
    assert sorted(seated) == sorted(p.id for p in waiting[:4])
    assert [r["position"] for r in roster if r["status"] == "waitlisted"] == [1, 2]
