"""JSON routes: /api/v1/events, registrations, participants, attendance and the `.ics`."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.deps import PagingDep, SessionDep
from app.events import calendar, service
from app.events.models import Event, Registration
from app.events.schemas import (
    AttendanceIn,
    EventIn,
    EventOut,
    EventUpdateIn,
    ParticipantOut,
    RegistrationOut,
)
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["events"])

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def events_out(session: Session, events: list[Event]) -> list[EventOut]:
    counts = service.seat_counts(session, [e.id for e in events])
    return [
        EventOut(
            id=e.id,
            title=e.title,
            description=e.description,
            language=e.language,
            kind=e.kind,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            location=e.location,
            capacity=e.capacity,
            members_only=e.members_only,
            translations=e.translations or {},
            registered=counts[e.id].registered,
            seats_left=service.seats_left(e, counts[e.id]),
            waitlist_length=counts[e.id].waitlisted,
        )
        for e in events
    ]


def registration_out(
    session: Session, registration: Registration, positions: dict[int, int] | None = None
) -> RegistrationOut:
    """`positions`: the waitlist places of a whole list, known already (no query)."""
    return RegistrationOut(
        id=registration.id,
        event_id=registration.event_id,
        user_id=registration.user_id,
        status=registration.status,
        position=service.waitlist_position(session, registration)
        if positions is None
        else positions.get(registration.id),
        attended=registration.attended,
    )


@router.post("/events", status_code=status.HTTP_201_CREATED, response_model=EventOut)
def create_event(body: EventIn, user: StaffUser, session: SessionDep) -> EventOut:
    event = service.create_event(session, actor=user, values=body.model_dump())
    return events_out(session, [event])[0]


@router.get("/events", response_model=Page[EventOut])
def list_events(paging: PagingDep, user: OptionalUser, session: SessionDep) -> Page[EventOut]:
    rows, total = service.list_upcoming(session, user, paging=paging)
    return Page(items=events_out(session, rows), total=total)


@router.get("/events/{event_id}", response_model=EventOut)
def get_event(event_id: int, user: OptionalUser, session: SessionDep) -> EventOut:
    return events_out(session, [service.visible_event(session, user, event_id)])[0]


@router.patch("/events/{event_id}", response_model=EventOut)
def update_event(
    event_id: int, body: EventUpdateIn, user: StaffUser, session: SessionDep
) -> EventOut:
    event = service.update_event(
        session, actor=user, event_id=event_id, values=body.model_dump(exclude_unset=True)
    )
    return events_out(session, [event])[0]


@router.post(
    "/events/{event_id}/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationOut,
)
def register(event_id: int, user: CurrentUser, session: SessionDep) -> RegistrationOut:
    registration = service.register(session, actor=user, event_id=event_id)
    return registration_out(session, registration)


@router.get("/events/{event_id}/registrations", response_model=Page[ParticipantOut])
def list_participants(event_id: int, user: StaffUser, session: SessionDep) -> Page[ParticipantOut]:
    service.get_event(session, event_id)
    rows = service.participants(session, event_id)
    positions = service.waitlist_positions(rows)
    items = [
        ParticipantOut(
            **registration_out(session, r, positions).model_dump(),
            full_name=r.user.full_name,
            email=r.user.email,
        )
        for r in rows
    ]
    return Page(items=items, total=len(items))


@router.get("/events/{event_id}/registrations/mine", response_model=RegistrationOut)
def my_registration(event_id: int, user: CurrentUser, session: SessionDep) -> RegistrationOut:
    service.visible_event(session, user, event_id)
    return registration_out(session, service.mine(session, user, event_id))


@router.delete("/events/{event_id}/registrations/mine", response_model=RegistrationOut)
def cancel_my_registration(
    event_id: int, user: CurrentUser, session: SessionDep
) -> RegistrationOut:
    registration = service.cancel_mine(session, actor=user, event_id=event_id)
    return registration_out(session, registration)


@router.post("/events/{event_id}/attendance", response_model=RegistrationOut)
def mark_attendance(
    event_id: int, body: AttendanceIn, user: StaffUser, session: SessionDep
) -> RegistrationOut:
    registration = service.mark_attendance(
        session, actor=user, event_id=event_id, user_id=body.user_id, attended=body.attended
    )
    return registration_out(session, registration)


@router.get("/events/{event_id}/calendar.ics", response_class=Response)
def event_calendar(event_id: int, user: OptionalUser, session: SessionDep) -> Response:
    event = service.visible_event(session, user, event_id)
    return Response(
        calendar.event_calendar(event),
        media_type=ICS_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="event-{event_id}.ics"'},
    )
