"""Busy time: the slots held for both sides of a meeting or of a pending request.

Both an investor ("user:<id>") and an organisation ("org:<id>") are participants; a slot held
for one of them is not free for another meeting or request of theirs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.i18n import gettext
from app.meetings.models import BusyInterval, Meeting, MeetingRequest

Slot = tuple[datetime, datetime]


def busy_times(session: Session, investor_ids: list[int], now: datetime) -> dict[int, list[Slot]]:
    """Each investor's busy time that has not ended yet."""
    participants = {f"user:{i}": i for i in investor_ids}
    busy: dict[int, list[Slot]] = {i: [] for i in investor_ids}
    for participant, starts_at, ends_at in session.execute(
        select(BusyInterval.participant, BusyInterval.starts_at, BusyInterval.ends_at).where(
            BusyInterval.participant.in_(participants), BusyInterval.ends_at > now
        )
    ):
        busy[participants[participant]].append((starts_at, ends_at))
    return busy


def hold(
    session: Session,
    investor_id: int,
    organisation_id: int,
    slot: Slot,
    *,
    meeting_id: int | None = None,
    request_id: int | None = None,
) -> None:
    """Hold the slot for both sides (for a meeting or for a pending request), or refuse with
    409 if either is busy then.

    The check gives a clear answer in the common case; the exclusion constraint (PostgreSQL) and
    the serialised writers (SQLite) make it hold under concurrent requests.
    """
    starts_at, ends_at = slot
    participants = [f"user:{investor_id}", f"org:{organisation_id}"]
    clash = session.scalar(
        select(BusyInterval.participant)
        .where(
            BusyInterval.participant.in_(participants),
            BusyInterval.starts_at < ends_at,
            BusyInterval.ends_at > starts_at,
        )
        .limit(1)
    )
    if clash is not None:
        raise Conflict(_busy_message(clash))
    try:
        with session.begin_nested():
            for participant in participants:
                session.add(
                    BusyInterval(
                        meeting_id=meeting_id,
                        request_id=request_id,
                        participant=participant,
                        starts_at=starts_at,
                        ends_at=ends_at,
                    )
                )
            session.flush()
    except IntegrityError as error:
        raise Conflict(gettext("This time has just been booked; choose another slot.")) from error


def book(session: Session, meeting: Meeting) -> None:
    """Hold the meeting's time for both sides."""
    hold(
        session,
        meeting.investor_id,
        meeting.organisation_id,
        (meeting.starts_at, meeting.ends_at),
        meeting_id=meeting.id,
    )


def _busy_message(participant: str) -> str:
    if participant.startswith("user:"):
        return gettext("The investor already has a meeting at this time.")
    return gettext("The organisation already has a meeting at this time.")


def release_meeting(session: Session, meeting: Meeting) -> None:
    session.execute(delete(BusyInterval).where(BusyInterval.meeting_id == meeting.id))
    session.flush()


def release_request(session: Session, request: MeetingRequest) -> None:
    """Free the slot a pending request held."""
    session.execute(delete(BusyInterval).where(BusyInterval.request_id == request.id))
    session.flush()
