"""The database itself refuses double booking, on SQLite (triggers) as on PostgreSQL (the
exclusion constraint): rows written straight through the ORM, past every service check."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.meetings.models import BusyInterval, Meeting
from tests.factories import Factory
from tests.meetings.helpers import accept, investor, member, open_window, request_meeting, tomorrow


def _booked(factory: Factory) -> tuple[int, int, Meeting]:
    """A meeting accepted through the API 10:00-10:30 tomorrow: (investor id, org id, meeting)."""
    inv, _ = investor(factory)
    open_window(inv)
    mem, org = member(factory)
    meeting = accept(inv, request_meeting(mem, inv.id)["id"], tomorrow(10))
    with factory.database.session_scope(write=False) as session:
        row = session.get(Meeting, meeting["id"])
        assert row is not None
        session.expunge(row)
    return inv.id, org.id, row


def _insert_meeting(
    factory: Factory, investor_id: int, organisation_id: int, starts_at: datetime, minutes: int = 30
) -> int:
    """A meeting and its busy rows, written directly (no service, no overlap check)."""
    ends_at = starts_at + timedelta(minutes=minutes)
    with factory.database.session_scope() as session:
        meeting = Meeting(
            uid=f"{uuid.uuid4()}@test",
            investor_id=investor_id,
            organisation_id=organisation_id,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        session.add(meeting)
        session.flush()
        for participant in (f"user:{investor_id}", f"org:{organisation_id}"):
            session.add(
                BusyInterval(
                    meeting_id=meeting.id,
                    participant=participant,
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
            )
        session.flush()
        return meeting.id


def test_an_overlapping_meeting_written_through_the_orm_is_refused(factory: Factory) -> None:
    investor_id, organisation_id, booked = _booked(factory)
    other_investor, _ = investor(factory)
    _other_member, other_org = member(factory)

    # The same investor with another organisation, 5 minutes into the booked meeting.
    with pytest.raises(IntegrityError):
        _insert_meeting(factory, investor_id, other_org.id, booked.starts_at + timedelta(minutes=5))
    # The same organisation with another investor, covering the booked meeting.
    with pytest.raises(IntegrityError):
        earlier = booked.starts_at - timedelta(minutes=30)
        _insert_meeting(factory, other_investor.id, organisation_id, earlier, minutes=90)
    assert factory.count(Meeting) == 1
    assert factory.count(BusyInterval) == 2

    # Back to back is no overlap (half-open intervals), and other people are free then.
    _insert_meeting(factory, investor_id, organisation_id, booked.ends_at)
    _insert_meeting(factory, other_investor.id, other_org.id, booked.starts_at)
    assert factory.count(Meeting) == 3
    assert factory.count(BusyInterval) == 6


def test_moving_a_busy_interval_onto_another_is_refused(factory: Factory) -> None:
    investor_id, _organisation_id, booked = _booked(factory)
    _other_member, other_org = member(factory)
    later_start = booked.starts_at + timedelta(hours=1)
    later = _insert_meeting(factory, investor_id, other_org.id, later_start)

    with pytest.raises(IntegrityError), factory.database.session_scope() as session:
        session.execute(
            update(BusyInterval)
            .where(BusyInterval.meeting_id == later)
            .values(starts_at=booked.starts_at, ends_at=booked.ends_at)
        )
    with factory.database.session_scope(write=False) as session:
        kept = session.execute(
            select(BusyInterval.starts_at).where(BusyInterval.meeting_id == later)
        ).scalars()
        assert list(kept) == [later_start, later_start]  # the investor's row and the organisation's
    # Moving a row within its own interval is no clash with itself.
    with factory.database.session_scope() as session:
        session.execute(
            update(BusyInterval)
            .where(BusyInterval.meeting_id == booked.id)
            .values(ends_at=booked.ends_at - timedelta(minutes=10))
        )
    assert factory.count(BusyInterval) == 4
