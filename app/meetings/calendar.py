"""Meetings in iCalendar: the per-meeting `.ics` and the events of the personal calendar feed.

Both come from `meeting_event`, so a calendar app that subscribed to the feed and also imported a
single meeting sees one event: the same UID and the same SEQUENCE (raised by each reschedule or
cancellation), which tells the app which copy is newer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationMember, User
from app.config import get_settings
from app.i18n import gettext
from app.meetings.models import Meeting, MeetingStatus
from app.training.calendar import CalendarEvent


def meeting_event(meeting: Meeting, *, investor_name: str, organisation_name: str) -> CalendarEvent:
    base = get_settings().base_url.rstrip("/")
    cancelled = meeting.status == MeetingStatus.cancelled
    return CalendarEvent(
        uid=meeting.uid,
        summary=gettext(
            "Meeting: %(investor)s and %(organisation)s",
            investor=investor_name,
            organisation=organisation_name,
        ),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location or meeting.video_url,
        description=meeting.video_url,
        url=f"{base}/meetings/{meeting.id}",
        sequence=meeting.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


def new_calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Cluster Portal//meetings//RU")
    cal.add("version", "2.0")
    cal.add("method", method)
    return cal


def event_component(item: CalendarEvent, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", item.ends_at.astimezone(UTC))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    event.add("url", item.url)
    event.add("status", item.status)
    return event


def meeting_calendar(meeting: Meeting, *, investor_name: str, organisation_name: str) -> bytes:
    """An iCalendar file with a stable UID; SEQUENCE grows with each reschedule or cancel."""
    item = meeting_event(meeting, investor_name=investor_name, organisation_name=organisation_name)
    cal = new_calendar("CANCEL" if meeting.status == MeetingStatus.cancelled else "PUBLISH")
    cal.add_component(event_component(item, meeting.updated_at))
    return bytes(cal.to_ical())


def meeting_events(session: Session, user: User) -> list[CalendarEvent]:
    """Accepted meetings of the user: as the investor, or as a person of the organisation."""
    organisations = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id
    )
    rows = session.execute(
        select(Meeting, User.full_name, Organisation.name)
        .join(User, User.id == Meeting.investor_id)
        .join(Organisation, Organisation.id == Meeting.organisation_id)
        .where(
            or_(Meeting.investor_id == user.id, Meeting.organisation_id.in_(organisations)),
            Meeting.status.in_([MeetingStatus.scheduled, MeetingStatus.completed]),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return [
        meeting_event(meeting, investor_name=investor, organisation_name=organisation)
        for meeting, investor, organisation in rows
    ]
