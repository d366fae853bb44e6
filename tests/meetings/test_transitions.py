"""One `transition()` changes the status of a meeting request or a meeting: it refuses a move the
transition table does not allow (409, nothing written) and writes the audit row after the status
has changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from app.audit import AuditEntry
from app.errors import InvalidTransition
from app.meetings.models import MeetingRequest, RequestStatus, transition
from tests.factories import Factory
from tests.meetings.helpers import investor, member, request_meeting


@pytest.fixture
def statuses_seen_by_audit_rows() -> Iterator[list[tuple[str, str]]]:
    """(audit action, the request's status in the database) as each audit row is inserted."""
    seen: list[tuple[str, str]] = []

    def before_insert(_mapper: Any, connection: Any, entry: AuditEntry) -> None:
        if entry.entity_type == "meeting_request":
            status = connection.scalar(
                select(MeetingRequest.status).where(MeetingRequest.id == int(entry.entity_id))
            )
            seen.append((entry.action, str(status)))

    event.listen(AuditEntry, "before_insert", before_insert)
    yield seen
    event.remove(AuditEntry, "before_insert", before_insert)


def test_the_audit_row_follows_the_status_change(
    factory: Factory, statuses_seen_by_audit_rows: list[tuple[str, str]]
) -> None:
    inv, _ = investor(factory)
    mem, _ = member(factory)
    sent = request_meeting(mem, inv.id)

    withdrawn = mem.api.post(f"/api/v1/meeting-requests/{sent['id']}/withdraw")

    assert withdrawn.json()["status"] == "withdrawn"
    assert ("meetings.request_withdrawn", "withdrawn") in statuses_seen_by_audit_rows


def test_an_illegal_move_is_refused_and_writes_nothing(factory: Factory) -> None:
    inv, _ = investor(factory)
    mem, _ = member(factory)
    sent = request_meeting(mem, inv.id)
    declined = inv.api.post(f"/api/v1/meeting-requests/{sent['id']}/decline", json={"reason": "No"})
    assert declined.status_code == 200, declined.text
    audit_rows = factory.count(AuditEntry)

    with factory.database.session_scope() as session:
        request = session.get(MeetingRequest, sent["id"])
        assert request is not None
        with pytest.raises(InvalidTransition) as refused:
            transition(session, request, RequestStatus.withdrawn, actor=None)
        assert refused.value.status_code == 409
        assert request.status == RequestStatus.declined

    withdrawn = mem.api.post(f"/api/v1/meeting-requests/{sent['id']}/withdraw")
    assert withdrawn.status_code == 409
    assert mem.api.get(f"/api/v1/meeting-requests/{sent['id']}").json()["status"] == "declined"
    assert factory.count(AuditEntry) == audit_rows
