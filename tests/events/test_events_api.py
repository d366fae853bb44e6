"""Publishing events, who sees them, registration with a waitlist, promotion and attendance."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.events.models import Registration, RegistrationStatus
from tests.events.helpers import event_body, future, make_event, move_event, outbox
from tests.factories import make_member


def test_staff_publish_an_event_and_others_may_not(factory) -> None:
    staff = factory.actor(Role.staff)
    created = make_event(staff.api, title="Demo day 2030", kind="demo_day", capacity=None)
    assert created["kind"] == "demo_day"
    assert (created["capacity"], created["seats_left"], created["registered"]) == (None, None, 0)
    listed = factory.actor().api.get("/api/v1/events").json()
    assert [e["title"] for e in listed["items"]] == ["Demo day 2030"]

    assert factory.actor().api.post("/api/v1/events", json=event_body()).status_code == 403
    anonymous = factory.actor().api
    anonymous.headers.pop("Authorization")
    assert anonymous.post("/api/v1/events", json=event_body()).status_code == 401


def test_creation_refuses_bad_times_and_kinds(factory) -> None:
    staff = factory.actor(Role.staff)
    starts = future(48)
    backwards = staff.api.post(
        "/api/v1/events",
        json=event_body(
            starts_at=starts.isoformat(), ends_at=(starts - timedelta(hours=1)).isoformat()
        ),
    )
    assert backwards.status_code == 422
    assert [e["loc"] for e in backwards.json()["detail"]] == [["body", "ends_at"]]
    past = staff.api.post(
        "/api/v1/events",
        json=event_body(starts_at=future(-5).isoformat(), ends_at=future(-3).isoformat()),
    )
    assert past.status_code == 422
    assert staff.api.post("/api/v1/events", json=event_body(kind="party")).status_code == 422
    assert staff.api.post("/api/v1/events", json=event_body(capacity=0)).status_code == 422
    assert staff.api.get("/api/v1/events").json()["total"] == 0


def test_members_only_events_are_shown_to_members_and_staff_only(factory) -> None:
    staff = factory.actor(Role.staff)
    public = make_event(staff.api, title="Open conference", kind="conference")
    private = make_event(staff.api, title="Members' demo day", members_only=True, hours=72)
    member = factory.actor()
    make_member(factory.database, factory.organisation(member.user))
    stranger = factory.actor()

    def titles(api) -> list[str]:
        return [e["title"] for e in api.get("/api/v1/events").json()["items"]]

    assert titles(member.api) == ["Open conference", "Members' demo day"]
    assert titles(staff.api) == ["Open conference", "Members' demo day"]
    assert titles(stranger.api) == ["Open conference"]
    anonymous = factory.actor().api
    anonymous.headers.pop("Authorization")
    assert titles(anonymous) == ["Open conference"]

    assert stranger.api.get(f"/api/v1/events/{private['id']}").status_code == 404
    assert anonymous.get(f"/api/v1/events/{private['id']}").status_code == 401
    refused = stranger.api.post(f"/api/v1/events/{private['id']}/registrations")
    assert refused.status_code == 404
    assert member.api.post(f"/api/v1/events/{private['id']}/registrations").status_code == 201
    assert stranger.api.post(f"/api/v1/events/{public['id']}/registrations").status_code == 201


def test_register_waitlist_promote_and_tell_by_email(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, title="Pitch workshop", kind="workshop", capacity=1)
    holder, first, second = (factory.actor(locale="en") for _ in range(3))
    url = f"/api/v1/events/{event['id']}/registrations"
    seat = holder.api.post(url)
    assert (seat.status_code, seat.json()["status"], seat.json()["position"]) == (
        201,
        "registered",
        None,
    )
    assert first.api.post(url).json() == {
        **first.api.get(f"{url}/mine").json(),
        "status": "waitlisted",
        "position": 1,
    }
    assert second.api.post(url).json()["position"] == 2
    summary = staff.api.get(f"/api/v1/events/{event['id']}").json()
    assert (summary["registered"], summary["seats_left"], summary["waitlist_length"]) == (1, 0, 2)
    assert outbox(factory.database, "events.registration_confirmed") == [
        (holder.id, "You are registered: Pitch workshop"),
        (first.id, "You are on the waitlist: Pitch workshop"),
        (second.id, "You are on the waitlist: Pitch workshop"),
    ]

    given_up = holder.api.delete(f"{url}/mine")
    assert (given_up.status_code, given_up.json()["status"]) == (200, "cancelled")
    assert first.api.get(f"{url}/mine").json()["status"] == "registered"
    assert second.api.get(f"{url}/mine").json()["position"] == 1
    assert outbox(factory.database, "events.promoted") == [
        (first.id, "A seat is yours: Pitch workshop")
    ]
    assert holder.api.delete(f"{url}/mine").status_code == 404
    again = holder.api.post(url)
    assert (again.status_code, again.json()["status"], again.json()["position"]) == (
        201,
        "waitlisted",
        2,
    )


def test_registering_twice_is_a_conflict(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, capacity=1)
    person, other = factory.actor(), factory.actor()
    url = f"/api/v1/events/{event['id']}/registrations"
    assert person.api.post(url).status_code == 201
    twice = person.api.post(url)
    assert twice.status_code == 409
    assert other.api.post(url).status_code == 201
    assert other.api.post(url).status_code == 409  # on the waitlist: still one place
    with factory.database.session_scope(write=False) as db:
        rows = db.scalars(select(Registration).where(Registration.event_id == event["id"])).all()
        assert sorted(r.status for r in rows) == [
            RegistrationStatus.registered,
            RegistrationStatus.waitlisted,
        ]


def test_unlimited_events_never_waitlist(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, capacity=None)
    url = f"/api/v1/events/{event['id']}/registrations"
    answers = [factory.actor().api.post(url).json() for _ in range(4)]
    assert [a["status"] for a in answers] == ["registered"] * 4
    assert staff.api.get(f"/api/v1/events/{event['id']}").json()["registered"] == 4


def test_more_capacity_promotes_and_less_than_taken_is_refused(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, capacity=1)
    url = f"/api/v1/events/{event['id']}/registrations"
    people = [factory.actor() for _ in range(3)]
    for person in people:
        person.api.post(url)
    wider = staff.api.patch(f"/api/v1/events/{event['id']}", json={"capacity": 2})
    assert (wider.status_code, wider.json()["registered"], wider.json()["waitlist_length"]) == (
        200,
        2,
        1,
    )
    assert staff.api.patch(f"/api/v1/events/{event['id']}", json={"capacity": 1}).status_code == 409
    unlimited = staff.api.patch(f"/api/v1/events/{event['id']}", json={"capacity": None})
    assert (unlimited.json()["registered"], unlimited.json()["seats_left"]) == (3, None)
    assert (
        factory.actor().api.patch(f"/api/v1/events/{event['id']}", json={"capacity": 9}).status_code
        == 403
    )


def test_staff_see_participants_and_mark_attendance_once_started(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, capacity=1)
    url = f"/api/v1/events/{event['id']}/registrations"
    came, waiting = factory.actor(full_name="Came Person"), factory.actor()
    came.api.post(url)
    waiting.api.post(url)
    early = staff.api.post(
        f"/api/v1/events/{event['id']}/attendance", json={"user_id": came.id, "attended": True}
    )
    assert early.status_code == 409
    move_event(factory.database, event["id"], starts_in=timedelta(minutes=-10))
    marked = staff.api.post(
        f"/api/v1/events/{event['id']}/attendance", json={"user_id": came.id, "attended": True}
    )
    assert (marked.status_code, marked.json()["attended"]) == (200, True)
    not_seated = staff.api.post(
        f"/api/v1/events/{event['id']}/attendance", json={"user_id": waiting.id, "attended": True}
    )
    assert not_seated.status_code == 404
    roster = staff.api.get(url).json()["items"]
    assert [(r["full_name"], r["status"], r["attended"]) for r in roster] == [
        ("Came Person", "registered", True),
        (waiting.user.full_name, "waitlisted", None),
    ]
    assert came.api.get(url).status_code == 403
    assert (
        came.api.post(
            f"/api/v1/events/{event['id']}/attendance", json={"user_id": came.id, "attended": True}
        ).status_code
        == 403
    )
    # Registration closes when the event starts; the seat can no longer be given up.
    assert factory.actor().api.post(url).status_code == 409
    assert came.api.delete(f"{url}/mine").status_code == 409
