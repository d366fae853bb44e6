"""A request may propose one of the investor's slots: the slot is held for both sides until the
request is accepted, declined, withdrawn or expires, so nobody else can take it meanwhile."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from app.meetings.models import BusyInterval, Meeting
from tests.factories import Actor, Factory
from tests.html import csrf_from
from tests.meetings.helpers import investor, member, open_window, tomorrow


def propose(actor: Actor, investor_id: int, starts_at: datetime) -> tuple[int, dict]:
    response = actor.api.post(
        "/api/v1/meeting-requests",
        json={"investor_id": investor_id, "message": "Hello", "starts_at": starts_at.isoformat()},
    )
    return response.status_code, response.json()


def free_starts(actor: Actor, investor_id: int) -> set[datetime]:
    slots = actor.api.get(f"/api/v1/investors/{investor_id}/slots").json()
    return {datetime.fromisoformat(slot["starts_at"]).astimezone(UTC) for slot in slots}


def test_a_proposed_slot_is_held_and_taken_by_a_plain_accept(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    first, _ = member(factory)
    second, _ = member(factory)
    slot = tomorrow(10)

    status, held = propose(first, inv.id, slot)
    assert status == 201, held
    assert datetime.fromisoformat(held["starts_at"]) == slot
    assert datetime.fromisoformat(held["ends_at"]) == slot + timedelta(minutes=30)
    assert slot not in free_starts(second, inv.id)
    assert propose(second, inv.id, slot)[0] == 409

    meeting = inv.api.post(f"/api/v1/meeting-requests/{held['id']}/accept", json={})
    assert meeting.status_code == 200, meeting.text
    assert datetime.fromisoformat(meeting.json()["starts_at"]) == slot
    assert factory.count(BusyInterval) == 2  # the hold became the meeting's, not a second pair
    assert slot not in free_starts(second, inv.id)


def test_the_member_side_is_held_too(factory: Factory) -> None:
    inv1, _ = investor(factory)
    inv2, _ = investor(factory)
    open_window(inv1)
    open_window(inv2)
    mem, _ = member(factory)
    assert propose(mem, inv1.id, tomorrow(11))[0] == 201
    status, body = propose(mem, inv2.id, tomorrow(11))
    assert status == 409
    assert "organisation" in body["detail"].lower() or "организац" in body["detail"].lower()


def test_accepting_another_slot_releases_the_proposed_one(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    _, held = propose(mem, inv.id, tomorrow(10))
    later = tomorrow(10) + timedelta(minutes=60)
    response = inv.api.post(
        f"/api/v1/meeting-requests/{held['id']}/accept", json={"starts_at": later.isoformat()}
    )
    assert response.status_code == 200, response.text
    free = free_starts(mem, inv.id)
    assert tomorrow(10) in free and later not in free
    assert factory.count(BusyInterval) == 2


def test_a_plain_accept_without_a_proposed_slot_asks_for_one(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    request = mem.api.post(
        "/api/v1/meeting-requests", json={"investor_id": inv.id, "message": "Hello"}
    ).json()
    assert request["starts_at"] is None
    response = inv.api.post(f"/api/v1/meeting-requests/{request['id']}/accept", json={})
    assert response.status_code == 422
    assert factory.count(Meeting) == 0


def test_a_proposal_outside_the_availability_or_in_the_past_is_refused(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    assert propose(mem, inv.id, tomorrow(10) + timedelta(minutes=7))[0] == 422  # not a slot start
    assert propose(mem, inv.id, tomorrow(20))[0] == 422  # outside the window
    past = datetime.now(UTC) - timedelta(days=1)
    open_window(inv, start=past.replace(minute=0, second=0, microsecond=0), hours=2)
    assert propose(mem, inv.id, past.replace(minute=0, second=0, microsecond=0))[0] == 422
    assert factory.count(BusyInterval) == 0


def test_decline_withdraw_and_expiry_free_the_held_slot(factory: Factory) -> None:
    from app.db import utcnow
    from app.meetings.reminders import pending_requests

    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    other, _ = member(factory)
    slot = tomorrow(10)

    _, held = propose(mem, inv.id, slot)
    inv.api.post(f"/api/v1/meeting-requests/{held['id']}/decline", json={"reason": "No"})
    assert slot in free_starts(other, inv.id)

    _, held = propose(mem, inv.id, slot)
    withdrawn = mem.api.post(f"/api/v1/meeting-requests/{held['id']}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert slot in free_starts(other, inv.id)
    assert mem.api.post(f"/api/v1/meeting-requests/{held['id']}/withdraw").status_code == 409

    _, held = propose(mem, inv.id, slot)
    with factory.database.session_scope() as session:
        pending_requests(session, utcnow() + timedelta(days=15))
    assert mem.api.get(f"/api/v1/meeting-requests/{held['id']}").json()["status"] == "expired"
    assert factory.count(BusyInterval) == 0
    assert propose(other, inv.id, slot)[0] == 201


def test_only_the_requesting_organisation_may_withdraw(factory: Factory) -> None:
    from app.accounts.models import Role

    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    _, held = propose(mem, inv.id, tomorrow(10))
    path = f"/api/v1/meeting-requests/{held['id']}/withdraw"
    assert inv.api.post(path).status_code == 403
    assert factory.actor(Role.staff).api.post(path).status_code == 403
    assert factory.actor().api.post(path).status_code == 404
    assert mem.api.get(f"/api/v1/meeting-requests/{held['id']}").json()["status"] == "requested"
    assert factory.count(BusyInterval) == 2


def test_concurrent_proposals_of_one_slot_have_exactly_one_winner(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    members = [member(factory)[0] for _ in range(4)]
    barrier = threading.Barrier(len(members))
    statuses: list[int] = []

    def race(actor: Actor) -> None:
        barrier.wait()
        statuses.append(propose(actor, inv.id, tomorrow(12))[0])

    threads = [threading.Thread(target=race, args=(actor,)) for actor in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert factory.count(BusyInterval) == 2


def test_pages_propose_a_time_show_it_and_withdraw(factory: Factory) -> None:
    inv, _ = investor(factory, browser=True)
    open_window(inv)
    mem, _ = member(factory, browser=True)
    assert mem.browser is not None and inv.browser is not None
    slot = tomorrow(10)

    page = mem.browser.get("/investors")
    assert f'value="{slot.isoformat()}"' in page.text
    sent = mem.browser.post(
        f"/investors/{inv.id}/request",
        data={"csrf_token": csrf_from(page.text), "message": "Hi", "starts_at": slot.isoformat()},
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/meetings")
    assert slot not in free_starts(mem, inv.id)

    inbox = inv.browser.get("/investor-inbox").text
    assert f'<option value="{slot.isoformat()}" selected>' in inbox

    mine = mem.browser.get("/meetings").text
    request_id = mem.api.get("/api/v1/meeting-requests").json()["items"][0]["id"]
    assert f"/meetings/requests/{request_id}/withdraw" in mine
    done = mem.browser.post(
        f"/meetings/requests/{request_id}/withdraw", data={"csrf_token": csrf_from(mine)}
    )
    assert done.status_code == 303
    assert slot in free_starts(mem, inv.id)
    assert f"/meetings/requests/{request_id}/withdraw" not in mem.browser.get("/meetings").text
