"""The `.ics` a meeting email carries: an iTIP invitation (RFC 5546) a mail client files in the
recipient's calendar, updates on a later email with the same UID and a higher SEQUENCE, and
removes on a cancellation."""

from __future__ import annotations

from email.utils import parseaddr

from icalendar import vCalAddress
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, User
from app.config import get_settings
from app.db import utcnow
from app.i18n import use_locale
from app.meetings.calendar import event_component, meeting_event, new_calendar
from app.meetings.models import Meeting, MeetingStatus
from app.notifications.attachments import Attachment, unfold


def _address(email: str, name: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = name
    return address


def invitation(session: Session, meeting: Meeting, recipient: User) -> Attachment:
    """METHOD REQUEST while the meeting stands, CANCEL once it is cancelled; the summary in the
    recipient's language; the portal organises, the recipient attends."""
    investor = session.get(User, meeting.investor_id)
    organisation = session.get(Organisation, meeting.organisation_id)
    with use_locale(recipient.locale, recipient.timezone):
        item = meeting_event(
            meeting,
            investor_name=investor.full_name if investor else "",
            organisation_name=organisation.name if organisation else "",
        )
    method = "CANCEL" if meeting.status == MeetingStatus.cancelled else "REQUEST"
    event = event_component(item, utcnow())
    event.add("organizer", _address(parseaddr(get_settings().mail_from)[1] or "portal@localhost"))
    attendee = _address(recipient.email, recipient.full_name)
    attendee.params.update({"role": "REQ-PARTICIPANT", "partstat": "ACCEPTED", "rsvp": "FALSE"})
    event.add("attendee", attendee)
    calendar = new_calendar(method)
    calendar.add_component(event)
    return Attachment(
        filename=f"meeting-{meeting.id}.ics",
        content_type=f"text/calendar; method={method}",
        text=unfold(calendar.to_ical().decode("utf-8")),
    )
