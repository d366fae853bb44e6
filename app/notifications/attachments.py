"""The one attachment an outbox message may carry, e.g. a meeting invitation's `.ics`.

Calendar text is stored with its content lines unfolded: a long line folded by the iCalendar
writer could split a name between two lines, and erasure would then neither find nor scrub it.
The lines are folded again when the message is built for sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from icalendar import Calendar

from app.accounts.personal_data import Traces

CALENDAR = "text/calendar"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # with parameters, e.g. "text/calendar; method=REQUEST"
    text: str


def unfold(text: str) -> str:
    """iCalendar text with each content line on one physical line (RFC 5545, 3.1)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "")


def fold(text: str) -> str:
    """iCalendar text as the iCalendar writer puts it: lines over 75 octets folded."""
    calendar: Calendar = Calendar.from_ical(text)
    return bytes(calendar.to_ical()).decode("utf-8")


def _media_type(content_type: str) -> tuple[str, str, dict[str, str]]:
    """("text", "calendar", {"method": "REQUEST"}) from "text/calendar; method=REQUEST"."""
    media, *parameters = (part.strip() for part in content_type.split(";"))
    maintype, _, subtype = media.partition("/")
    params = {}
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name and name.lower() != "charset":
            params[name.strip()] = value.strip().strip('"')
    return maintype, subtype, params


def attach(email: EmailMessage, filename: str, content_type: str, text: str) -> None:
    """Add the attachment to a built message as a UTF-8 text part."""
    maintype, subtype, params = _media_type(content_type)
    if maintype != "text":
        raise ValueError(f"only text attachments are stored, not {content_type}")
    body = fold(text) if f"{maintype}/{subtype}" == CALENDAR else text
    email.add_attachment(body, subtype=subtype, filename=filename, params=params)


def _calendar_escaped(value: str) -> str:
    """`value` as an iCalendar TEXT property writes it (RFC 5545, 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def calendar_traces(traces: Traces) -> Traces:
    """The traces as they appear inside calendar text (a comma in a name is escaped there)."""
    return Traces(tuple(_calendar_escaped(value) for value in traces.values))
