"""A person's pitch-day meetings, once their day's schedule is published: listed in "My
meetings" and written into the personal calendar feed.

A feed event's UID names the day and the pair of organisations (a pair meets at most once a
day), so a new run of the scheduler that moves the meeting updates the event in the calendar app
instead of adding one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Organisation, User
from app.bilingual import localized
from app.config import get_settings
from app.db import utcnow
from app.i18n import gettext
from app.meetings import people
from app.meetings.models import PitchDay, PitchMeeting
from app.training.calendar import CalendarEvent


@dataclass(frozen=True)
class PitchAppointment:
    day: PitchDay
    meeting: PitchMeeting
    organisation_id: int  # the person's organisation
    organisation_name: str
    other_id: int
    other_name: str
    starts_at: datetime
    ends_at: datetime

    @property
    def agenda_path(self) -> str:
        return f"/pitch-days/{self.day.id}/agenda/{self.organisation_id}"


def pitch_appointments(
    session: Session, user: User, *, upcoming_only: bool = False
) -> list[PitchAppointment]:
    """The published pitch-day meetings of the user's organisations, soonest first."""
    own = people.user_organisation_ids(session, user)
    if not own:
        return []
    first, second = aliased(Organisation), aliased(Organisation)
    statement = (
        select(PitchMeeting, PitchDay, first.name, second.name)
        .join(PitchDay, PitchDay.id == PitchMeeting.pitch_day_id)
        .join(first, first.id == PitchMeeting.first_organisation_id)
        .join(second, second.id == PitchMeeting.second_organisation_id)
        .where(
            PitchDay.published_at.is_not(None),
            or_(
                PitchMeeting.first_organisation_id.in_(own),
                PitchMeeting.second_organisation_id.in_(own),
            ),
        )
    )
    if upcoming_only:
        # Days before yesterday (UTC) are over in every time zone; the exact cut is below.
        statement = statement.where(PitchDay.date >= utcnow().date() - timedelta(days=1))
    rows = session.execute(statement).all()
    names = {
        organisation_id: name
        for meeting, _day, first_name, second_name in rows
        for organisation_id, name in (
            (meeting.first_organisation_id, first_name),
            (meeting.second_organisation_id, second_name),
        )
    }
    now = utcnow()
    found: list[PitchAppointment] = []
    for meeting, day, _first_name, _second_name in rows:
        ends_at = day.slot_end(meeting.slot)
        if upcoming_only and ends_at <= now:
            continue
        pair = (meeting.first_organisation_id, meeting.second_organisation_id)
        for mine, other in (pair, pair[::-1]):
            if mine in own:
                found.append(
                    PitchAppointment(
                        day=day,
                        meeting=meeting,
                        organisation_id=mine,
                        organisation_name=names.get(mine, ""),
                        other_id=other,
                        other_name=names.get(other, ""),
                        starts_at=day.slot_start(meeting.slot),
                        ends_at=ends_at,
                    )
                )
    return sorted(found, key=lambda a: (a.starts_at, a.meeting.table_number, a.organisation_id))


def appointment_event(appointment: PitchAppointment, host: str) -> CalendarEvent:
    day, meeting = appointment.day, appointment.meeting
    base = get_settings().base_url.rstrip("/")
    table = gettext("Table %(number)s", number=meeting.table_number)
    return CalendarEvent(
        uid=(
            f"pitch-day-{day.id}-{meeting.first_organisation_id}-"
            f"{meeting.second_organisation_id}@{host}"
        ),
        summary=gettext(
            "Pitch day: %(organisation)s meets %(other)s",
            organisation=appointment.organisation_name,
            other=appointment.other_name,
        ),
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        location=f"{localized(day, 'venue').text}, {table}" if day.venue else table,
        description=localized(day, "name").text or None,
        url=f"{base}{appointment.agenda_path}",
        status="CONFIRMED",
    )


def pitch_day_events(session: Session, user: User) -> list[CalendarEvent]:
    """The user's pitch-day meetings of published days; one event per meeting even when the
    user belongs to both organisations."""
    host = urlparse(get_settings().base_url).hostname or "cluster-portal"
    events: dict[str, CalendarEvent] = {}
    for appointment in pitch_appointments(session, user):
        event = appointment_event(appointment, host)
        events.setdefault(event.uid, event)
    return list(events.values())
