"""What the two sides of a meeting are told: the meetings message kind and who receives it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import Organisation, User
from app.accounts.organisations import people_of
from app.i18n import N_
from app.meetings.invitations import invitation
from app.meetings.models import Meeting, MeetingRequest
from app.notifications.kinds import register_kind
from app.notifications.service import notify

MEETING_EVENT = register_kind("meetings.event", N_("Investor meetings"), essential=True)
REQUEST_SENT = register_kind(
    "meetings.request_sent", N_("Confirmations of the meeting requests you send")
)


def event_context(
    session: Session, request_or_meeting: MeetingRequest | Meeting, event: str, **extra: Any
) -> dict[str, Any]:
    organisation = session.get(Organisation, request_or_meeting.organisation_id)
    investor = session.get(User, request_or_meeting.investor_id)
    return {
        "event": event,
        "organisation_name": organisation.name if organisation else "",
        "investor_name": investor.full_name if investor else "",
        **extra,
    }


def meeting_context(session: Session, meeting: Meeting, event: str) -> dict[str, Any]:
    """What an email about a booked meeting says: when, and where or by which link."""
    return event_context(
        session,
        meeting,
        event,
        starts_at=meeting.starts_at,
        location=meeting.location,
        video_url=meeting.video_url,
    )


def tell(
    session: Session,
    person: User,
    *,
    key: str,
    context: dict[str, Any],
    link: str,
    invite_to: Meeting | None = None,
) -> None:
    """`invite_to` attaches that meeting's calendar invitation (or cancellation)."""
    notify(
        session,
        recipient=person,
        kind=MEETING_EVENT,
        template="meetings/event",
        key=key,
        context=context,
        link=link,
        attachment=invitation(session, invite_to, person) if invite_to is not None else None,
    )


def tell_organisation(
    session: Session,
    organisation_id: int,
    *,
    key: str,
    context: dict[str, Any],
    link: str,
    invite_to: Meeting | None = None,
) -> None:
    """Every person of the organisation, each under their own key."""
    for person in people_of(session, organisation_id):
        tell(
            session,
            person,
            key=f"{key}:{person.id}",
            context=context,
            link=link,
            invite_to=invite_to,
        )


def tell_investor(
    session: Session,
    investor_id: int,
    *,
    key: str,
    context: dict[str, Any],
    link: str = "/investor-inbox",
    invite_to: Meeting | None = None,
) -> None:
    investor = session.get(User, investor_id)
    if investor is not None:
        tell(session, investor, key=key, context=context, link=link, invite_to=invite_to)


def tell_both_sides(session: Session, meeting: Meeting, event: str, key: str) -> None:
    """A change of a booked meeting, with the `.ics` that brings each calendar up to date."""
    context = meeting_context(session, meeting, event)
    link = f"/meetings/{meeting.id}"
    tell_organisation(
        session,
        meeting.organisation_id,
        key=key,
        context=context,
        link=link,
        invite_to=meeting,
    )
    tell_investor(
        session,
        meeting.investor_id,
        key=f"{key}:investor",
        context=context,
        link=link,
        invite_to=meeting,
    )


def confirm_request(session: Session, request: MeetingRequest, requester: User) -> None:
    """The member who asked hears at once that the request went out, and until when the
    investor has to answer."""
    notify(
        session,
        recipient=requester,
        kind=REQUEST_SENT,
        template="meetings/request_sent",
        key=f"meetings.request.{request.id}.sent",
        context=event_context(
            session,
            request,
            "request_sent",
            starts_at=request.starts_at,
            expires_at=request.expires_at,
        ),
        link="/meetings",
    )
