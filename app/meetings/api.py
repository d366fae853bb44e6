"""JSON routes: investors, availability, meeting requests, meetings, pitch days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile, status
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import Organisation, User
from app.deps import PagingDep, SessionDep
from app.errors import Forbidden
from app.i18n import get_timezone
from app.meetings import (
    availability,
    bookings,
    decks,
    investors,
    pitch_days,
    pitch_participation,
    policies,
    requests,
)
from app.meetings import calendar as meeting_ics
from app.meetings.deps import PitchDayManager
from app.meetings.models import AvailabilityWindow, Meeting, MeetingRequest, PitchDay, PitchMeeting
from app.meetings.schemas import (
    AcceptIn,
    AvailabilityIn,
    AvailabilityOut,
    CancelIn,
    DeclineIn,
    FeedbackIn,
    InvestorOut,
    InvestorProfileIn,
    LockIn,
    MeetingDetailsIn,
    MeetingOut,
    MeetingRequestIn,
    MeetingRequestOut,
    NoShowIn,
    PitchDayIn,
    PitchParticipantIn,
    PitchWishIn,
    RecommendationOut,
    RescheduleIn,
    SlotOut,
)
from app.schemas import Page
from app.uploads import file_response

router = APIRouter(prefix="/api/v1", tags=["meetings"])


def investor_out(card: investors.InvestorCard) -> dict[str, Any]:
    profile = card.profile
    return {
        "id": card.user.id,
        "full_name": card.user.full_name,
        "organisation_id": card.organisation.id,
        "organisation_name": card.organisation.name,
        "sectors": profile.sectors if profile else [],
        "stages": profile.stages if profile else [],
        "ticket_min_rub": profile.ticket_min_rub if profile else None,
        "ticket_max_rub": profile.ticket_max_rub if profile else None,
        "thesis": profile.thesis if profile else "",
        "translations": (profile.translations or {}) if profile else {},
        "contact": (
            {
                "email": (profile.contact_email if profile else None) or card.user.email,
                "phone": (profile.contact_phone if profile else None) or card.user.phone,
            }
            if card.contact_visible
            else None
        ),
    }


def request_out(
    session: Session, request: MeetingRequest, meeting_ids: dict[int, int] | None = None
) -> MeetingRequestOut:
    """`meeting_ids` (request id → meeting id, from `meeting_ids_of`) spares a query per row."""
    if meeting_ids is not None:
        meeting_id = meeting_ids.get(request.id)
    else:
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.request_id == request.id))
    return MeetingRequestOut(
        id=request.id,
        investor_id=request.investor_id,
        organisation_id=request.organisation_id,
        requester_id=request.requester_id,
        message=request.message,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        status=request.status.value,
        reason=request.reason,
        created_at=request.created_at,
        expires_at=request.expires_at,
        meeting_id=meeting_id,
        deck=(
            {
                "filename": request.deck_filename,
                "size": request.deck_size,
                "url": f"/api/v1/meeting-requests/{request.id}/deck",
            }
            if request.deck_stored_name
            else None
        ),
    )


def meeting_ids_of(session: Session, request_ids: list[int]) -> dict[int, int]:
    if not request_ids:
        return {}
    return {
        request_id: meeting_id
        for meeting_id, request_id in session.execute(
            select(Meeting.id, Meeting.request_id).where(Meeting.request_id.in_(request_ids))
        )
        if request_id is not None
    }


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.id,
        uid=meeting.uid,
        request_id=meeting.request_id,
        investor_id=meeting.investor_id,
        organisation_id=meeting.organisation_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=meeting.status.value,
        sequence=meeting.sequence,
        location=meeting.location,
        video_url=meeting.video_url,
        cancel_reason=meeting.cancel_reason,
        no_show=meeting.no_show,
        feedback=[
            {
                "side": f.side,
                "rating": f.rating,
                "note": f.note,
                "outcome": f.outcome.value,
                "amount_rub": f.amount_rub,
            }
            for f in meeting.feedback
        ],
    )


def _local(value: datetime) -> datetime:
    return value.astimezone(get_timezone())


def slot_out(starts_at: datetime, ends_at: datetime) -> SlotOut:
    """A slot in UTC and in the caller's time zone (`users.timezone`)."""
    return SlotOut(
        starts_at=starts_at,
        ends_at=ends_at,
        local_starts_at=_local(starts_at),
        local_ends_at=_local(ends_at),
        timezone=get_timezone().key,
    )


def availability_out(window: AvailabilityWindow) -> AvailabilityOut:
    return AvailabilityOut(
        id=window.id,
        investor_id=window.investor_id,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        slot_minutes=window.slot_minutes,
        local_starts_at=_local(window.starts_at),
        local_ends_at=_local(window.ends_at),
        timezone=get_timezone().key,
    )


@router.get("/investors", response_model=Page[InvestorOut])
def list_investors(session: SessionDep, user: CurrentUser, paging: PagingDep) -> dict[str, Any]:
    cards, total = investors.investor_directory(
        session, actor=user, limit=paging.limit, offset=paging.offset
    )
    return {"items": [investor_out(c) for c in cards], "total": total}


@router.get("/investors/recommendations", response_model=Page[RecommendationOut])
def recommendations(
    session: SessionDep,
    user: CurrentUser,
    paging: PagingDep,
    need_rub: Annotated[int | None, Query(ge=1, le=10**15)] = None,
) -> dict[str, Any]:
    ranked, total = investors.recommendations(
        session, actor=user, need_rub=need_rub, limit=paging.limit, offset=paging.offset
    )
    return {
        "items": [{**investor_out(c), "score": fit.score, "reasons": r} for c, fit, r in ranked],
        "total": total,
    }


@router.get("/investors/{investor_id}", response_model=InvestorOut)
def get_investor(investor_id: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return investor_out(investors.investor_card(session, actor=user, investor_id=investor_id))


@router.get("/investors/{investor_id}/slots", response_model=list[SlotOut])
def investor_slots(investor_id: int, session: SessionDep, user: CurrentUser) -> list[SlotOut]:
    investors.investor_card(session, actor=user, investor_id=investor_id)
    return [slot_out(a, b) for a, b in availability.free_slots(session, investor_id)]


@router.put("/organisations/{organisation_id}/investor-profile", response_model=InvestorProfileIn)
def save_profile(
    organisation_id: int, body: InvestorProfileIn, session: SessionDep, user: CurrentUser
) -> Any:
    profile = investors.save_profile(
        session, actor=user, organisation_id=organisation_id, values=body.model_dump()
    )
    return InvestorProfileIn.model_validate(
        {k: getattr(profile, k) for k in InvestorProfileIn.model_fields}
    )


@router.post(
    "/investors/me/availability",
    status_code=status.HTTP_201_CREATED,
    response_model=AvailabilityOut,
)
def add_availability(body: AvailabilityIn, session: SessionDep, user: CurrentUser) -> Any:
    window = availability.add_availability(
        session,
        actor=user,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        slot_minutes=body.slot_minutes,
    )
    return availability_out(window)


@router.get("/investors/me/availability", response_model=Page[AvailabilityOut])
def my_availability(session: SessionDep, user: CurrentUser, paging: PagingDep) -> dict[str, Any]:
    windows = availability.list_availability(session, actor=user)
    window = windows[paging.offset : paging.offset + paging.limit]
    return {"items": [availability_out(w) for w in window], "total": len(windows)}


@router.post(
    "/meeting-requests", status_code=status.HTTP_201_CREATED, response_model=MeetingRequestOut
)
def create_request(body: MeetingRequestIn, session: SessionDep, user: CurrentUser) -> Any:
    request = requests.create_request(
        session,
        actor=user,
        investor_id=body.investor_id,
        message=body.message,
        organisation_id=body.organisation_id,
        starts_at=body.starts_at,
    )
    return request_out(session, request)


@router.get("/meeting-requests", response_model=Page[MeetingRequestOut])
def list_requests(session: SessionDep, user: CurrentUser, paging: PagingDep) -> dict[str, Any]:
    rows, total = requests.list_requests(
        session, actor=user, limit=paging.limit, offset=paging.offset
    )
    meeting_ids = meeting_ids_of(session, [r.id for r in rows])
    return {"items": [request_out(session, r, meeting_ids) for r in rows], "total": total}


@router.get("/meeting-requests/{request_id}", response_model=MeetingRequestOut)
def get_request(request_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return request_out(session, requests.get_request(session, actor=user, request_id=request_id))


@router.post(
    "/meeting-requests/{request_id}/deck",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingRequestOut,
)
def attach_deck(request_id: int, file: UploadFile, session: SessionDep, user: CurrentUser) -> Any:
    request = decks.attach_deck(
        session, actor=user, request_id=request_id, filename=file.filename, stream=file.file
    )
    return request_out(session, request)


@router.get("/meeting-requests/{request_id}/deck")
def download_deck(request_id: int, session: SessionDep, user: CurrentUser) -> Response:
    request, path = decks.open_deck(session, actor=user, request_id=request_id)
    return file_response(path, filename=request.deck_filename or "deck.pdf")


@router.post("/meeting-requests/{request_id}/accept", response_model=MeetingOut)
def accept_request(request_id: int, body: AcceptIn, session: SessionDep, user: CurrentUser) -> Any:
    """The body may name another free slot (`starts_at`), and `location` and `video_url`."""
    meeting = requests.accept_request(
        session,
        actor=user,
        request_id=request_id,
        starts_at=body.starts_at,
        **body.details(),
    )
    return meeting_out(meeting)


@router.post("/meeting-requests/{request_id}/decline", response_model=MeetingRequestOut)
def decline_request(
    request_id: int, body: DeclineIn, session: SessionDep, user: CurrentUser
) -> Any:
    request = requests.decline_request(
        session, actor=user, request_id=request_id, reason=body.reason
    )
    return request_out(session, request)


@router.post("/meeting-requests/{request_id}/withdraw", response_model=MeetingRequestOut)
def withdraw_request(request_id: int, session: SessionDep, user: CurrentUser) -> Any:
    request = requests.withdraw_request(session, actor=user, request_id=request_id)
    return request_out(session, request)


@router.get("/meetings", response_model=Page[MeetingOut])
def list_meetings(session: SessionDep, user: CurrentUser, paging: PagingDep) -> dict[str, Any]:
    rows, total = bookings.list_meetings(
        session, actor=user, limit=paging.limit, offset=paging.offset
    )
    return {"items": [meeting_out(m) for m in rows], "total": total}


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: int, session: SessionDep, user: CurrentUser) -> Any:
    return meeting_out(bookings.get_meeting(session, actor=user, meeting_id=meeting_id))


@router.patch("/meetings/{meeting_id}", response_model=MeetingOut)
def set_meeting_details(
    meeting_id: int, body: MeetingDetailsIn, session: SessionDep, user: CurrentUser
) -> Any:
    """`location` and `video_url` (https) of a scheduled meeting; a field left out is kept, a
    null clears it."""
    meeting = bookings.set_meeting_details(
        session, actor=user, meeting_id=meeting_id, details=body.details()
    )
    return meeting_out(meeting)


@router.post("/meetings/{meeting_id}/cancel", response_model=MeetingOut)
def cancel_meeting(
    meeting_id: int, session: SessionDep, user: CurrentUser, body: CancelIn | None = None
) -> Any:
    meeting = bookings.cancel_meeting(
        session, actor=user, meeting_id=meeting_id, reason=body.reason if body else None
    )
    return meeting_out(meeting)


@router.post("/meetings/{meeting_id}/reschedule", response_model=MeetingOut)
def reschedule_meeting(
    meeting_id: int, body: RescheduleIn, session: SessionDep, user: CurrentUser
) -> Any:
    meeting = bookings.reschedule_meeting(
        session, actor=user, meeting_id=meeting_id, starts_at=body.starts_at
    )
    return meeting_out(meeting)


@router.post(
    "/meetings/{meeting_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingOut,
)
def add_feedback(meeting_id: int, body: FeedbackIn, session: SessionDep, user: CurrentUser) -> Any:
    bookings.add_feedback(session, actor=user, meeting_id=meeting_id, **body.model_dump())
    meeting = bookings.get_meeting(session, actor=user, meeting_id=meeting_id)
    session.refresh(meeting)
    return meeting_out(meeting)


@router.post("/meetings/{meeting_id}/no-show", response_model=MeetingOut)
def record_no_show(meeting_id: int, body: NoShowIn, session: SessionDep, user: CurrentUser) -> Any:
    return meeting_out(
        bookings.record_no_show(session, actor=user, meeting_id=meeting_id, party=body.party)
    )


@router.get("/meetings/{meeting_id}/calendar.ics")
def meeting_calendar(meeting_id: int, session: SessionDep, user: CurrentUser) -> Response:
    meeting = bookings.get_meeting(session, actor=user, meeting_id=meeting_id)
    investor = session.get(User, meeting.investor_id)
    organisation = session.get(Organisation, meeting.organisation_id)
    body = meeting_ics.meeting_calendar(
        meeting,
        investor_name=investor.full_name if investor else "",
        organisation_name=organisation.name if organisation else "",
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )


# --- pitch days --------------------------------------------------------------------------------


def pitch_meeting_out(day: PitchDay, meeting: PitchMeeting) -> dict[str, Any]:
    start = datetime.combine(
        day.date, datetime.strptime(day.slot_starts[meeting.slot], "%H:%M").time()
    )
    return {
        "id": meeting.id,
        "slot": meeting.slot,
        "slot_start": day.slot_starts[meeting.slot],
        "slot_end": (start + timedelta(minutes=day.slot_minutes)).strftime("%H:%M"),
        "table": meeting.table_number,
        "organisation_ids": [meeting.first_organisation_id, meeting.second_organisation_id],
        "priority": meeting.priority,
        "locked": meeting.locked,
    }


def pitch_day_out(session: Session, day: PitchDay) -> dict[str, Any]:
    from sqlalchemy import select

    from app.meetings.models import PitchParticipant

    participants = session.scalars(
        select(PitchParticipant).where(PitchParticipant.pitch_day_id == day.id)
    ).all()
    return {
        "id": day.id,
        "date": day.date.isoformat(),
        "slot_starts": day.slot_starts,
        "slot_minutes": day.slot_minutes,
        "tables": day.tables,
        "name": day.name,
        "venue": day.venue,
        "translations": day.translations or {},
        "timezone": day.timezone,
        "registration_closes_at": day.registration_deadline().isoformat(),
        "registration_open": day.is_registration_open(),
        "published": day.published_at is not None,
        "participants": [
            {"organisation_id": p.organisation_id, "slots": p.slots} for p in participants
        ],
    }


@router.post("/pitch-days", status_code=status.HTTP_201_CREATED)
def create_pitch_day(
    body: PitchDayIn, session: SessionDep, user: PitchDayManager
) -> dict[str, Any]:
    day = pitch_days.create_pitch_day(session, actor=user, values=body.model_dump())
    return pitch_day_out(session, day)


@router.get("/pitch-days/{pitch_day_id}")
def get_pitch_day(pitch_day_id: int, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    day = pitch_days.get_pitch_day(session, pitch_day_id)
    out = pitch_day_out(session, day)
    if policies.can_see_schedule(session, user, day):
        out["meetings"] = [
            pitch_meeting_out(day, m) for m in pitch_days.pitch_meetings(session, day.id)
        ]
    return out


@router.post("/pitch-days/{pitch_day_id}/participants", status_code=status.HTTP_201_CREATED)
def register_participant(
    pitch_day_id: int, body: PitchParticipantIn, session: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    participant = pitch_participation.register_participant(
        session,
        actor=user,
        pitch_day_id=pitch_day_id,
        organisation_id=body.organisation_id,
        slots=body.slots,
    )
    return {
        "pitch_day_id": pitch_day_id,
        "organisation_id": participant.organisation_id,
        "slots": participant.slots,
    }


@router.post("/pitch-days/{pitch_day_id}/wishes", status_code=status.HTTP_201_CREATED)
def add_wish(
    pitch_day_id: int, body: PitchWishIn, session: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    wish = pitch_participation.add_wish(
        session, actor=user, pitch_day_id=pitch_day_id, **body.model_dump()
    )
    return {
        "id": wish.id,
        "organisation_id": wish.organisation_id,
        "with_organisation_id": wish.with_organisation_id,
        "priority": wish.priority,
        "no_thanks": wish.no_thanks,
    }


@router.post("/pitch-days/{pitch_day_id}/schedule")
def schedule_pitch_day(
    pitch_day_id: int, session: SessionDep, user: PitchDayManager
) -> dict[str, Any]:
    result = pitch_days.schedule_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    day = pitch_days.get_pitch_day(session, pitch_day_id)
    return {
        "placed": result.placed,
        "upper_bound": result.upper_bound,
        "method": result.method,
        "unplaced": result.unplaced,
        "meetings": [pitch_meeting_out(day, m) for m in result.meetings],
    }


@router.post("/pitch-days/{pitch_day_id}/meetings/{meeting_id}/lock")
def lock_pitch_meeting(
    pitch_day_id: int, meeting_id: int, body: LockIn, session: SessionDep, user: PitchDayManager
) -> dict[str, Any]:
    meeting = pitch_days.set_lock(
        session, actor=user, pitch_day_id=pitch_day_id, meeting_id=meeting_id, locked=body.locked
    )
    return pitch_meeting_out(pitch_days.get_pitch_day(session, pitch_day_id), meeting)


@router.post("/pitch-days/{pitch_day_id}/publish")
def publish_pitch_day(
    pitch_day_id: int, session: SessionDep, user: PitchDayManager
) -> dict[str, Any]:
    return pitch_day_out(
        session, pitch_days.publish_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    )


__all__ = ["Forbidden", "router"]
