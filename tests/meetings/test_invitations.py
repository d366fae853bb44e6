"""Meeting emails carry the meeting's `.ics` as a `text/calendar` part: METHOD REQUEST while it
stands, CANCEL once cancelled, the same UID throughout and a SEQUENCE that rises with each change;
erasure reaches the names inside it."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from icalendar import Calendar
from sqlalchemy import select

from app.config import get_settings
from app.meetings.models import Meeting
from app.notifications.delivery import eml_path
from app.notifications.models import OutboxMessage
from app.notifications.worker import run_once
from tests.factories import Actor, Factory
from tests.meetings.helpers import accept, investor, member, open_window, request_meeting, tomorrow


def _mail(factory: Factory, recipient: Actor, key_part: str) -> OutboxMessage:
    with factory.database.session_scope(write=False) as session:
        (message,) = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == recipient.id,
                OutboxMessage.idempotency_key.contains(key_part),
            )
        ).all()
        session.expunge(message)
    return message


def _delivered(message: OutboxMessage) -> EmailMessage:
    """The message as the worker wrote it (no SMTP configured: an `.eml` file)."""
    raw = eml_path(message.id, message.kind, get_settings()).read_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _calendar_part(email: EmailMessage) -> tuple[EmailMessage, Calendar]:
    (part,) = [p for p in email.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert isinstance(part, EmailMessage)
    return part, Calendar.from_ical(part.get_content())


def _booked(factory: Factory, **investor_kwargs: str) -> tuple[Actor, Actor, dict]:
    inv, _ = investor(factory, **investor_kwargs)
    open_window(inv)
    mem, _ = member(factory, full_name="Мария Основатель")
    asked = request_meeting(mem, inv.id)
    response = inv.api.post(
        f"/api/v1/meeting-requests/{asked['id']}/accept",
        json={"starts_at": tomorrow(10).isoformat(), "video_url": "https://meet.example.org/r"},
    )
    assert response.status_code == 200, response.text
    return inv, mem, response.json()


def test_the_accepted_meeting_email_carries_an_invitation_calendars_can_read(
    factory: Factory,
) -> None:
    _inv, mem, meeting = _booked(factory)

    assert run_once().sent > 0

    email = _delivered(_mail(factory, mem, ".accepted"))
    part, calendar = _calendar_part(email)
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == f"meeting-{meeting['id']}.ics"
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == meeting["uid"]
    assert event.decoded("DTSTART") == tomorrow(10)
    assert event.decoded("SEQUENCE") == 0
    assert str(event["LOCATION"]) == "https://meet.example.org/r"
    assert str(event["ATTENDEE"]) == f"mailto:{mem.user.email}"
    assert str(event["URL"]) == f"http://testserver/meetings/{meeting['id']}"
    # The mail still reads as before: text and HTML bodies beside the attachment.
    assert email.get_body(("plain",)) is not None and email.get_body(("html",)) is not None


def test_a_cancellation_is_a_cancel_of_the_same_uid_with_a_higher_sequence(
    factory: Factory,
) -> None:
    inv, mem, meeting = _booked(factory)
    moved = inv.api.post(
        f"/api/v1/meetings/{meeting['id']}/reschedule",
        json={"starts_at": tomorrow(11).isoformat()},
    )
    assert moved.status_code == 200, moved.text
    assert inv.api.post(f"/api/v1/meetings/{meeting['id']}/cancel").status_code == 200

    run_once()

    sequences = []
    for key_part, method in ((".accepted", "REQUEST"), (".rescheduled.1", "REQUEST")):
        _part, calendar = _calendar_part(_delivered(_mail(factory, mem, key_part)))
        (event,) = calendar.walk("VEVENT")
        assert (calendar["METHOD"], str(event["UID"])) == (method, meeting["uid"])
        sequences.append(event.decoded("SEQUENCE"))
    for recipient in (mem, inv):
        part, calendar = _calendar_part(_delivered(_mail(factory, recipient, ".cancelled")))
        (event,) = calendar.walk("VEVENT")
        assert part.get_param("method") == "CANCEL"
        assert (calendar["METHOD"], str(event["UID"]), str(event["STATUS"])) == (
            "CANCEL",
            meeting["uid"],
            "CANCELLED",
        )
        assert event.decoded("SEQUENCE") == 2
    assert sequences == [0, 1]


def test_the_invitation_speaks_the_recipients_language(factory: Factory) -> None:
    inv, _ = investor(factory, full_name="Ivan Investor")
    open_window(inv)
    mem, _ = member(factory, locale="en")
    accept(inv, request_meeting(mem, inv.id)["id"], tomorrow(10))

    message = _mail(factory, mem, ".accepted")

    assert message.attachment_text is not None
    assert "SUMMARY:Meeting: Ivan Investor and" in message.attachment_text


def test_erasure_scrubs_the_name_from_invitations_even_where_the_calendar_folds_it(
    factory: Factory,
) -> None:
    # Long enough in Cyrillic that the SUMMARY line is folded inside the name; with a comma,
    # which the calendar escapes.
    name = "Аполлинария Константиновна, Длиннофамильная-Инвесторова"
    inv, mem, meeting = _booked(factory, full_name=name)
    assert inv.api.post(f"/api/v1/meetings/{meeting['id']}/cancel").status_code == 200
    run_once()
    stored = _mail(factory, mem, ".accepted").attachment_text
    assert stored is not None and name.replace(",", "\\,") in stored
    part, _calendar = _calendar_part(_delivered(_mail(factory, mem, ".cancelled")))
    assert "\n " in part.get_content()  # folded again on the way out

    assert inv.api.delete("/api/v1/me").status_code == 202

    with factory.database.session_scope(write=False) as session:
        texts = session.scalars(
            select(OutboxMessage.attachment_text).where(
                OutboxMessage.recipient_id == mem.id, OutboxMessage.attachment_text.is_not(None)
            )
        ).all()
        uid = session.scalars(select(Meeting.uid)).one()
    assert len(texts) == 2 and all(t is not None and uid in t for t in texts)
    assert not [t for t in texts if t and ("Длиннофамильная" in t or "Аполлинария" in t)]
    assert all(t and "[удалено]" in t for t in texts)
