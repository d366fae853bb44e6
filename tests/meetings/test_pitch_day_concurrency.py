"""The writes of one pitch day follow each other (its row lock): colleagues registering their
organisation at once make one registration, and wishes stated at once each get their own place
in the list, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.accounts.models import Role
from app.meetings.models import PitchParticipant, PitchWish
from tests.meetings.helpers import add_colleague, in_days, member

PEOPLE = 8


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def fire(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_registrations_and_wishes_of_one_organisation(factory) -> None:
    staff = factory.actor(Role.staff)
    day = staff.api.post(
        "/api/v1/pitch-days",
        json={
            "date": in_days(),
            "slot_starts": ["10:00", "10:30"],
            "slot_minutes": 20,
            "tables": 4,
        },
    ).json()
    url = f"/api/v1/pitch-days/{day['id']}"
    owner, organisation = member(factory)
    people = [owner] + [add_colleague(factory, organisation) for _ in range(PEOPLE - 1)]
    others = [member(factory)[1] for _ in range(PEOPLE)]
    for other in others:
        registered = staff.api.post(f"{url}/participants", json={"organisation_id": other.id})
        assert registered.status_code == 201, registered.text

    responses = _at_once(
        [
            lambda actor=actor: actor.api.post(
                f"{url}/participants", json={"organisation_id": organisation.id}
            )
            for actor in people
        ]
    )
    assert [r.status_code for r in responses] == [201] * PEOPLE
    responses = _at_once(
        [
            lambda actor=actor, other=other: actor.api.post(
                f"{url}/wishes",
                json={"organisation_id": organisation.id, "with_organisation_id": other.id},
            )
            for actor, other in zip(people, others, strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [201] * PEOPLE

    with factory.database.session_scope(write=False) as session:
        registrations = session.scalars(
            select(PitchParticipant).where(PitchParticipant.organisation_id == organisation.id)
        ).all()
        ranks = session.scalars(
            select(PitchWish.rank).where(PitchWish.organisation_id == organisation.id)
        ).all()
    assert len(registrations) == 1
    assert sorted(ranks) == list(range(PEOPLE))
