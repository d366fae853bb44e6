from __future__ import annotations

from app.accounts.models import Role
from app.meetings.models import PitchWish
from tests.factories import Factory
from tests.meetings.helpers import in_days, investor, member

DAY = {
    "date": in_days(),
    "slot_starts": ["10:00", "10:30", "11:00"],
    "slot_minutes": 30,
    "tables": 1,
}


def test_pitch_day_schedule_places_wishes_and_reports_reasons(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    assert factory.actor().api.post("/api/v1/pitch-days", json=DAY).status_code == 403
    bad = staff.api.post("/api/v1/pitch-days", json={**DAY, "slot_starts": ["10:00", "10:15"]})
    assert bad.status_code == 422
    day = staff.api.post("/api/v1/pitch-days", json=DAY).json()
    inv, inv_org = investor(factory)
    a, a_org = member(factory)
    b, b_org = member(factory)
    outsider = factory.actor()
    out_org = factory.organisation(outsider.user)
    url = f"/api/v1/pitch-days/{day['id']}"
    assert (
        outsider.api.post(f"{url}/participants", json={"organisation_id": out_org.id}).status_code
        == 403
    )
    assert (
        a.api.post(f"{url}/participants", json={"organisation_id": inv_org.id}).status_code == 403
    )
    assert (
        inv.api.post(
            f"{url}/participants", json={"organisation_id": inv_org.id, "slots": [0]}
        ).status_code
        == 201
    )
    assert a.api.post(f"{url}/participants", json={"organisation_id": a_org.id}).status_code == 201
    assert (
        b.api.post(
            f"{url}/participants", json={"organisation_id": b_org.id, "slots": [0, 9]}
        ).status_code
        == 422
    )
    assert (
        b.api.post(
            f"{url}/participants", json={"organisation_id": b_org.id, "slots": [0]}
        ).status_code
        == 201
    )
    unknown = a.api.post(f"{url}/wishes", json={"with_organisation_id": out_org.id, "priority": 1})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "with_organisation_id"]
    assert factory.count(PitchWish) == 0
    assert (
        a.api.post(
            f"{url}/wishes", json={"with_organisation_id": inv_org.id, "priority": 1}
        ).status_code
        == 201
    )
    assert (
        b.api.post(
            f"{url}/wishes", json={"with_organisation_id": inv_org.id, "priority": 3}
        ).status_code
        == 201
    )
    result = staff.api.post(f"{url}/schedule")
    assert result.status_code == 200, result.text
    body = result.json()
    assert (body["placed"], body["upper_bound"]) == (1, 1)
    assert body["meetings"][0]["organisation_ids"] == sorted([b_org.id, inv_org.id])
    assert body["meetings"][0]["slot_start"] == "10:00"
    assert body["unplaced"] == [
        {
            "organisation_id": min(a_org.id, inv_org.id),
            "with_organisation_id": max(a_org.id, inv_org.id),
            "priority": 1,
            "reason": "participant_busy",
            "participant": inv_org.id,
            "slot": None,
        }
    ]
    assert a.api.post(f"{url}/schedule").status_code == 403


def test_locked_meeting_survives_rescheduling(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    day = staff.api.post("/api/v1/pitch-days", json={**DAY, "tables": 2}).json()
    url = f"/api/v1/pitch-days/{day['id']}"
    inv, inv_org = investor(factory)
    a, a_org = member(factory)
    inv.api.post(f"{url}/participants", json={"organisation_id": inv_org.id})
    a.api.post(f"{url}/participants", json={"organisation_id": a_org.id})
    a.api.post(f"{url}/wishes", json={"with_organisation_id": inv_org.id, "priority": 2})
    first = staff.api.post(f"{url}/schedule").json()["meetings"][0]
    locked = staff.api.post(f"{url}/meetings/{first['id']}/lock", json={"locked": True})
    assert locked.json()["locked"] is True
    again = staff.api.post(f"{url}/schedule").json()
    assert [(m["id"], m["slot"], m["table"]) for m in again["meetings"]] == [
        (first["id"], first["slot"], first["table"])
    ]
