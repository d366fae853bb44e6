from __future__ import annotations

from datetime import timedelta

from app.meetings.models import Meeting
from tests.factories import Factory
from tests.meetings.helpers import accept, investor, member, open_window, request_meeting, tomorrow


def test_export_holds_the_users_requests_meetings_and_feedback(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, org = member(factory)
    req = request_meeting(mem, inv.id, "Встретимся?")
    meeting = accept(inv, req["id"], tomorrow())
    with factory.database.session_scope() as session:
        row = session.get(Meeting, meeting["id"])
        row.starts_at -= timedelta(days=2)
        row.ends_at -= timedelta(days=2)
    feedback = mem.api.post(
        f"/api/v1/meetings/{meeting['id']}/feedback",
        json={"rating": 5, "note": "Полезно", "outcome": "follow_up"},
    )
    assert feedback.status_code == 201

    mine = mem.api.get("/api/v1/me/export").json()["meetings"]
    assert [(r["id"], r["role"], r["message"], r["status"]) for r in mine["requests"]] == [
        (req["id"], "requester", "Встретимся?", "accepted")
    ]
    assert [(m["id"], m["organisation_id"], m["status"]) for m in mine["meetings"]] == [
        (meeting["id"], org.id, "completed")
    ]
    assert [(f["meeting_id"], f["rating"], f["note"], f["outcome"]) for f in mine["feedback"]] == [
        (meeting["id"], 5, "Полезно", "follow_up")
    ]
    theirs = inv.api.get("/api/v1/me/export").json()["meetings"]
    assert [r["role"] for r in theirs["requests"]] == ["investor"]
    assert [m["id"] for m in theirs["meetings"]] == [meeting["id"]]
    assert theirs["feedback"] == []
    assert factory.actor().api.get("/api/v1/me/export").json()["meetings"] == {
        "requests": [],
        "meetings": [],
        "feedback": [],
    }
