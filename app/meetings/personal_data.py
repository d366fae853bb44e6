"""The personal data of investor meetings: the export section, what a leaving person releases,
and the scrubbing of their traces from what they wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import OrganisationMember, User
from app.accounts.personal_data import (
    Traces,
)
from app.db import utcnow
from app.meetings import busy, notices, people
from app.meetings.models import (
    AvailabilityWindow,
    InvestorProfile,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    transition,
)


def export_meetings(session: Session, user: User) -> dict[str, Any]:
    """Requests the user wrote or received, meetings they took part in, feedback they gave."""
    requests = session.scalars(
        select(MeetingRequest)
        .where(or_(MeetingRequest.requester_id == user.id, MeetingRequest.investor_id == user.id))
        .order_by(MeetingRequest.id)
    ).all()
    organisations = people.user_organisation_ids(session, user)
    meetings = session.scalars(
        select(Meeting)
        .where(or_(Meeting.investor_id == user.id, Meeting.organisation_id.in_(organisations)))
        .order_by(Meeting.id)
    ).all()
    feedback = session.scalars(
        select(MeetingFeedback)
        .where(MeetingFeedback.author_id == user.id)
        .order_by(MeetingFeedback.id)
    ).all()
    return {
        "requests": [
            {
                "id": r.id,
                "role": "investor" if r.investor_id == user.id else "requester",
                "investor_id": r.investor_id,
                "organisation_id": r.organisation_id,
                "message": r.message,
                "proposed_starts_at": r.starts_at.isoformat() if r.starts_at else None,
                "status": r.status.value,
                "reason": r.reason,
                "deck_filename": r.deck_filename,
                "created_at": r.created_at.isoformat(),
            }
            for r in requests
        ],
        "meetings": [
            {
                "id": m.id,
                "investor_id": m.investor_id,
                "organisation_id": m.organisation_id,
                "starts_at": m.starts_at.isoformat(),
                "ends_at": m.ends_at.isoformat(),
                "status": m.status.value,
                "location": m.location,
                "video_url": m.video_url,
                "cancel_reason": m.cancel_reason,
                "no_show": m.no_show,
            }
            for m in meetings
        ],
        "feedback": [
            {
                "meeting_id": f.meeting_id,
                "side": f.side,
                "rating": f.rating,
                "note": f.note,
                "outcome": f.outcome.value,
                "amount_rub": f.amount_rub,
                "created_at": f.created_at.isoformat(),
            }
            for f in feedback
        ],
    }


def _left_without_people(session: Session, user: User) -> list[int]:
    """The user's organisations in which no other active person remains."""
    others = (
        select(OrganisationMember.organisation_id)
        .join(User, User.id == OrganisationMember.user_id)
        .where(
            OrganisationMember.organisation_id.in_(people.organisation_ids_of(user)),
            OrganisationMember.user_id != user.id,
            User.is_active.is_(True),
        )
    )
    return list(
        session.scalars(
            select(OrganisationMember.organisation_id).where(
                OrganisationMember.user_id == user.id,
                OrganisationMember.organisation_id.not_in(others),
            )
        )
    )


def release_meetings(session: Session, *, actor: User, user: User) -> None:
    """A leaving person frees what they held; the other side is told. As an investor: their
    future availability goes, pending requests to them are closed and their scheduled meetings
    cancelled. As a requester: their pending requests are withdrawn. An organisation left with
    nobody active has its scheduled meetings cancelled."""
    now = utcnow()
    session.execute(
        delete(AvailabilityWindow).where(
            AvailabilityWindow.investor_id == user.id, AvailabilityWindow.ends_at > now
        )
    )
    pending = session.scalars(
        select(MeetingRequest)
        .where(
            MeetingRequest.status == RequestStatus.requested,
            or_(MeetingRequest.investor_id == user.id, MeetingRequest.requester_id == user.id),
        )
        .order_by(MeetingRequest.id)
        .with_for_update()
    ).all()
    for request in pending:
        if request.investor_id == user.id:
            transition(session, request, RequestStatus.declined, actor=actor, released=True)
            busy.release_request(session, request)
            notices.tell_organisation(
                session,
                request.organisation_id,
                key=f"meetings.request.{request.id}.investor_left",
                context=notices.event_context(session, request, "investor_left"),
                link="/meetings",
            )
        else:
            transition(session, request, RequestStatus.withdrawn, actor=actor, released=True)
            busy.release_request(session, request)
            notices.tell_investor(
                session,
                request.investor_id,
                key=f"meetings.request.{request.id}.withdrawn",
                context=notices.event_context(session, request, "withdrawn"),
            )
    scheduled = session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.scheduled,
            Meeting.starts_at > now,
            or_(
                Meeting.investor_id == user.id,
                Meeting.organisation_id.in_(_left_without_people(session, user)),
            ),
        )
        .order_by(Meeting.id)
        .with_for_update()
    ).all()
    for meeting in scheduled:
        transition(session, meeting, MeetingStatus.cancelled, actor=actor, released=True)
        meeting.sequence += 1
        busy.release_meeting(session, meeting)
        notices.tell_both_sides(
            session, meeting, "cancelled", f"meetings.meeting.{meeting.id}.cancelled"
        )
    session.flush()


def erase_meeting_texts(session: Session, *, user: User, traces: Traces) -> None:
    """The person's name, address or phone in what they wrote (request messages, decline
    reasons, feedback notes) or in the place of their meetings, and an investor profile's
    contact that is theirs."""
    traces.scrub_rows(
        session,
        or_(MeetingRequest.requester_id == user.id, MeetingRequest.investor_id == user.id),
        MeetingRequest.message,
        MeetingRequest.reason,
    )
    traces.scrub_rows(session, MeetingFeedback.author_id == user.id, MeetingFeedback.note)
    for meeting in session.scalars(
        select(Meeting).where(
            or_(
                Meeting.investor_id == user.id,
                Meeting.organisation_id.in_(people.organisation_ids_of(user)),
            ),
            traces.found_in(Meeting.location, Meeting.video_url),
        )
    ):
        meeting.location = traces.scrub_optional(meeting.location)
        if traces.appear_in(meeting.video_url):
            meeting.video_url = None
    for profile in session.scalars(
        select(InvestorProfile).where(
            InvestorProfile.organisation_id.in_(people.organisation_ids_of(user)),
            traces.found_in(InvestorProfile.contact_email, InvestorProfile.contact_phone),
        )
    ):
        if traces.appear_in(profile.contact_email):
            profile.contact_email = None
        if traces.appear_in(profile.contact_phone):
            profile.contact_phone = None
    session.flush()
