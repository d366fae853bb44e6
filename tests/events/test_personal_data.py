"""Registrations are personal data: exported, released when the person leaves, and the given-up
ones erased."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import Role
from app.events.models import Registration, RegistrationStatus
from app.portal.personal_data import registered
from tests.events.helpers import make_event, move_event, outbox


def test_export_lists_my_registrations(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, title="Conference 2030", kind="conference")
    person = factory.actor()
    person.api.post(f"/api/v1/events/{event['id']}/registrations")
    exported = person.api.get("/api/v1/me/export").json()["events"]
    assert [(r["event"], r["status"], r["attended"]) for r in exported["registrations"]] == [
        ("Conference 2030", "registered", None)
    ]
    assert factory.actor().api.get("/api/v1/me/export").json()["events"] == {"registrations": []}


def test_erasure_frees_future_seats_for_the_waitlist_and_keeps_past_attendance(factory) -> None:
    assert "events" in registered()["releasers"] and "events" in registered()["erasers"]
    staff = factory.actor(Role.staff)
    past = make_event(staff.api, title="Past workshop", capacity=3)
    coming = make_event(staff.api, title="Coming day", capacity=1, hours=96)
    gone = make_event(staff.api, title="Given up", hours=120)
    leaving, waiting = factory.actor(), factory.actor()
    for event in (past, coming, gone):
        leaving.api.post(f"/api/v1/events/{event['id']}/registrations")
    leaving.api.delete(f"/api/v1/events/{gone['id']}/registrations/mine")
    waiting.api.post(f"/api/v1/events/{coming['id']}/registrations")
    move_event(factory.database, past["id"], starts_in=timedelta(days=-2))
    staff.api.post(
        f"/api/v1/events/{past['id']}/attendance", json={"user_id": leaving.id, "attended": True}
    )

    assert leaving.api.delete("/api/v1/me").status_code == 202

    assert (
        waiting.api.get(f"/api/v1/events/{coming['id']}/registrations/mine").json()["status"]
        == "registered"
    )
    assert outbox(factory.database, "events.promoted") == [(waiting.id, "Место ваше: Coming day")]
    with factory.database.session_scope(write=False) as db:
        left = db.execute(
            select(Registration.event_id, Registration.status, Registration.attended)
            .where(Registration.user_id == leaving.id)
            .order_by(Registration.event_id)
        ).all()
        assert left == [(past["id"], RegistrationStatus.registered, True)]
        assert db.scalar(select(func.count(Registration.id))) == 2  # and the promoted seat
