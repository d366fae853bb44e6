from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.meetings.models import AvailabilityWindow, BusyInterval, Meeting, MeetingRequest
from app.notifications.models import OutboxMessage
from tests.factories import Factory
from tests.meetings.helpers import investor, member, open_window, request_meeting, tomorrow


def test_investor_directory_is_for_members_and_lists_verified_investors(factory: Factory) -> None:
    inv, org = investor(factory)
    factory.organisation(factory.user(roles=[Role.investor]), kind="investor")  # unverified
    put = inv.api.put(
        f"/api/v1/organisations/{org.id}/investor-profile",
        json={
            "sectors": ["software"],
            "stages": ["seed"],
            "ticket_min_rub": 1_000_000,
            "ticket_max_rub": 5_000_000,
            "thesis": "B2B",
            "contact_email": "vc@example.com",
        },
    )
    assert put.status_code == 200, put.text
    outsider = factory.actor()
    assert outsider.api.get("/api/v1/investors").status_code == 403
    mem, _ = member(factory)
    body = mem.api.get("/api/v1/investors").json()
    assert body["total"] == 1
    item = body["items"][0]
    assert (item["id"], item["sectors"], item["ticket_max_rub"]) == (
        inv.id,
        ["software"],
        5_000_000,
    )
    assert item["contact"] is None


def test_availability_rejects_reversed_and_overlapping_windows(factory: Factory) -> None:
    inv, _ = investor(factory)
    start = tomorrow()
    open_window(inv, start, hours=2)
    for starts, ends in (
        (start + timedelta(hours=1), start + timedelta(hours=3)),
        (start + timedelta(hours=5), start + timedelta(hours=4)),
    ):
        response = inv.api.post(
            "/api/v1/investors/me/availability",
            json={"starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "slot_minutes": 30},
        )
        assert response.status_code == 422, response.text
    assert factory.count(AvailabilityWindow) == 1
    plain = factory.actor()
    response = plain.api.post(
        "/api/v1/investors/me/availability",
        json={
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "slot_minutes": 30,
        },
    )
    assert response.status_code == 403
    assert factory.count(AvailabilityWindow) == 1


def test_only_members_may_request_and_the_refusal_says_why(factory: Factory) -> None:
    inv, _ = investor(factory)
    outsider = factory.actor()
    factory.organisation(outsider.user)
    response = outsider.api.post(
        "/api/v1/meeting-requests", json={"investor_id": inv.id, "message": "Hi"}
    )
    assert response.status_code == 403
    assert "member" in response.json()["detail"].lower() or "член" in response.json()["detail"]
    assert factory.count(MeetingRequest) == 0
    mem, org = member(factory)
    body = request_meeting(mem, inv.id)
    assert (body["status"], body["organisation_id"]) == ("requested", org.id)
    again = mem.api.post("/api/v1/meeting-requests", json={"investor_id": inv.id, "message": "x"})
    assert again.status_code == 409
    with factory.database.session_scope() as session:
        kinds = session.scalars(
            select(OutboxMessage.to_email).where(OutboxMessage.kind == "meetings.event")
        ).all()
    assert kinds == [inv.user.email]


def test_accept_creates_meeting_and_reveals_contacts_third_party_gets_404(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    req = request_meeting(mem, inv.id)
    stranger = factory.actor(Role.investor)
    start = tomorrow()
    assert (
        stranger.api.post(
            f"/api/v1/meeting-requests/{req['id']}/accept", json={"starts_at": start.isoformat()}
        ).status_code
        == 404
    )
    assert (
        mem.api.post(
            f"/api/v1/meeting-requests/{req['id']}/accept", json={"starts_at": start.isoformat()}
        ).status_code
        == 404
    )
    outside = inv.api.post(
        f"/api/v1/meeting-requests/{req['id']}/accept",
        json={"starts_at": (start + timedelta(minutes=10)).isoformat()},
    )
    assert outside.status_code == 422
    response = inv.api.post(
        f"/api/v1/meeting-requests/{req['id']}/accept", json={"starts_at": start.isoformat()}
    )
    assert response.status_code == 200, response.text
    meeting = response.json()
    assert (meeting["status"], meeting["sequence"]) == ("scheduled", 0)
    assert meeting["ends_at"].startswith((start + timedelta(minutes=30)).isoformat()[:16])
    assert mem.api.get(f"/api/v1/meeting-requests/{req['id']}").json()["status"] == "accepted"
    assert mem.api.get("/api/v1/investors").json()["items"][0]["contact"]["email"] == inv.user.email
    assert [m["id"] for m in mem.api.get("/api/v1/meetings").json()["items"]] == [meeting["id"]]
    assert (
        inv.api.post(
            f"/api/v1/meeting-requests/{req['id']}/accept", json={"starts_at": start.isoformat()}
        ).status_code
        == 409
    )


def test_busy_investor_slot_is_a_conflict(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    first, _ = member(factory)
    second, _ = member(factory)
    r1, r2 = request_meeting(first, inv.id), request_meeting(second, inv.id)
    start = tomorrow().isoformat()
    assert (
        inv.api.post(
            f"/api/v1/meeting-requests/{r1['id']}/accept", json={"starts_at": start}
        ).status_code
        == 200
    )
    response = inv.api.post(
        f"/api/v1/meeting-requests/{r2['id']}/accept", json={"starts_at": start}
    )
    assert response.status_code == 409
    assert second.api.get(f"/api/v1/meeting-requests/{r2['id']}").json()["status"] == "requested"


def test_member_organisation_cannot_be_double_booked_with_two_investors(factory: Factory) -> None:
    inv1, _ = investor(factory)
    inv2, _ = investor(factory)
    open_window(inv1)
    open_window(inv2)
    mem, _ = member(factory)
    r1, r2 = request_meeting(mem, inv1.id), request_meeting(mem, inv2.id)
    start = tomorrow(11).isoformat()
    first = inv1.api.post(f"/api/v1/meeting-requests/{r1['id']}/accept", json={"starts_at": start})
    assert first.status_code == 200
    second = inv2.api.post(f"/api/v1/meeting-requests/{r2['id']}/accept", json={"starts_at": start})
    assert second.status_code == 409
    assert second.json()["detail"] == "У организации уже есть встреча в это время."
    with factory.database.session_scope(write=False) as session:
        meetings = session.execute(select(Meeting.request_id, Meeting.investor_id)).all()
        statuses = dict(session.execute(select(MeetingRequest.id, MeetingRequest.status)).all())
    assert meetings == [(r1["id"], inv1.id)]
    assert factory.count(BusyInterval) == 2
    # The refused request is untouched: still pending, for the investor to offer another time.
    assert statuses == {r1["id"]: "accepted", r2["id"]: "requested"}


def test_concurrent_accepts_of_the_same_slot_have_exactly_one_winner(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    requests = []
    for _ in range(4):
        mem, _org = member(factory)
        requests.append(request_meeting(mem, inv.id))
    clients = [factory.api_client(inv.user) for _ in requests]
    start = tomorrow(12).isoformat()
    barrier = threading.Barrier(len(requests))
    statuses: dict[int, int] = {}

    def accept(client, request_id: int) -> None:
        barrier.wait()
        response = client.post(
            f"/api/v1/meeting-requests/{request_id}/accept", json={"starts_at": start}
        )
        statuses[request_id] = response.status_code

    threads = [
        threading.Thread(target=accept, args=(c, r["id"]))
        for c, r in zip(clients, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 409, 409, 409]
    assert factory.count(Meeting) == 1
    assert factory.count(BusyInterval) == 2
    with factory.database.session_scope(write=False) as session:
        meeting = session.scalars(select(Meeting)).one()
        answered = dict(session.execute(select(MeetingRequest.id, MeetingRequest.status)).all())
    winner = next(r for r, code in statuses.items() if code == 200)
    assert meeting.request_id == winner
    # The losers are untouched: still pending, to be accepted at another time.
    assert answered == {r: ("accepted" if r == winner else "requested") for r in statuses}


def test_decline_with_reason_and_cancel_frees_the_slot(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    a, _ = member(factory)
    b, _ = member(factory)
    ra, rb = request_meeting(a, inv.id), request_meeting(b, inv.id)
    declined = inv.api.post(
        f"/api/v1/meeting-requests/{ra['id']}/decline", json={"reason": "Not our focus"}
    )
    assert (declined.status_code, declined.json()["status"], declined.json()["reason"]) == (
        200,
        "declined",
        "Not our focus",
    )
    start = tomorrow().isoformat()
    meeting = inv.api.post(
        f"/api/v1/meeting-requests/{rb['id']}/accept", json={"starts_at": start}
    ).json()
    cancelled = b.api.post(f"/api/v1/meetings/{meeting['id']}/cancel", json={"reason": "Sick"})
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 1)
    assert factory.count(BusyInterval) == 0
    assert b.api.post(f"/api/v1/meetings/{meeting['id']}/cancel").status_code == 409


def test_calendar_keeps_uid_and_increases_sequence_on_reschedule(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    req = request_meeting(mem, inv.id)
    meeting = inv.api.post(
        f"/api/v1/meeting-requests/{req['id']}/accept", json={"starts_at": tomorrow().isoformat()}
    ).json()
    first = mem.api.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    later = (tomorrow() + timedelta(minutes=60)).isoformat()
    moved = inv.api.post(f"/api/v1/meetings/{meeting['id']}/reschedule", json={"starts_at": later})
    assert moved.status_code == 200, moved.text
    second = mem.api.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics").text
    assert f"UID:{meeting['uid']}" in first.text and f"UID:{meeting['uid']}" in second
    assert "SEQUENCE:0" in first.text and "SEQUENCE:1" in second
    assert (
        factory.actor().api.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics").status_code == 404
    )


def test_pending_requests_expire_after_the_configured_days(factory: Factory) -> None:
    from app.db import utcnow
    from app.meetings.reminders import pending_requests

    inv, _ = investor(factory)
    mem, _ = member(factory)
    req = request_meeting(mem, inv.id)
    with factory.database.session_scope() as session:
        assert pending_requests(session, utcnow()) == 0
        assert pending_requests(session, utcnow() + timedelta(days=13)) == 1  # the reminder
        assert pending_requests(session, utcnow() + timedelta(days=15)) == 1  # the expiry
    assert mem.api.get(f"/api/v1/meeting-requests/{req['id']}").json()["status"] == "expired"


def test_feedback_and_outcome_after_the_meeting(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    req = request_meeting(mem, inv.id)
    meeting = inv.api.post(
        f"/api/v1/meeting-requests/{req['id']}/accept", json={"starts_at": tomorrow().isoformat()}
    ).json()
    early = mem.api.post(f"/api/v1/meetings/{meeting['id']}/feedback", json={"rating": 5})
    assert early.status_code == 409
    with factory.database.session_scope() as session:
        row = session.get(Meeting, meeting["id"])
        row.starts_at -= timedelta(days=2)
        row.ends_at -= timedelta(days=2)
    assert (
        inv.api.post(
            f"/api/v1/meetings/{meeting['id']}/feedback",
            json={"rating": 4, "outcome": "investment"},
        ).status_code
        == 422
    )
    assert (
        mem.api.post(f"/api/v1/meetings/{meeting['id']}/feedback", json={"rating": 6}).status_code
        == 422
    )
    done = inv.api.post(
        f"/api/v1/meetings/{meeting['id']}/feedback",
        json={"rating": 4, "note": "Good", "outcome": "investment", "amount_rub": 3_000_000},
    )
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "completed"
    assert done.json()["feedback"] == [
        {
            "side": "investor",
            "rating": 4,
            "note": "Good",
            "outcome": "investment",
            "amount_rub": 3_000_000,
        }
    ]


def test_recommendations_rank_by_fit_with_reasons(factory: Factory) -> None:
    good, good_org = investor(factory)
    poor, poor_org = investor(factory)
    staff = factory.actor(Role.staff)
    staff.api.put(
        f"/api/v1/organisations/{good_org.id}/investor-profile",
        json={"sectors": ["software"], "ticket_min_rub": 1, "ticket_max_rub": 10_000_000},
    )
    staff.api.put(
        f"/api/v1/organisations/{poor_org.id}/investor-profile", json={"sectors": ["energy"]}
    )
    mem, _ = member(factory)
    body = mem.api.get("/api/v1/investors/recommendations?need_rub=5000000").json()
    assert [i["id"] for i in body["items"]] == [good.id, poor.id]
    assert body["items"][0]["score"] == 5 and len(body["items"][0]["reasons"]) == 2
    assert body["items"][1]["reasons"] == []


def test_investor_directory_pages_list_each_investor_once_with_the_total(
    factory: Factory,
) -> None:
    from app.accounts.models import OrganisationKind

    first, first_org = investor(factory)
    factory.organisation(first.user, kind=OrganisationKind.investor, verified=True)
    second, second_org = investor(factory)
    sme_owner = factory.user(roles=[Role.investor])
    factory.organisation(sme_owner)
    third_org = factory.organisation(sme_owner, kind=OrganisationKind.investor, verified=True)
    mem, _ = member(factory)

    pages = [
        mem.api.get(f"/api/v1/investors?limit=2&offset={offset}").json() for offset in (0, 2, 5)
    ]

    assert [page["total"] for page in pages] == [3, 3, 3]
    assert [[(i["id"], i["organisation_id"]) for i in page["items"]] for page in pages] == [
        [(first.id, first_org.id), (second.id, second_org.id)],
        [(sme_owner.id, third_org.id)],
        [],
    ]
