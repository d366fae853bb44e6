"""Business rules of events: publishing, registration with a FIFO waitlist (the guarantees of
training's enrolment), giving a place up, attendance, and what a leaving person holds.

Every function that counts seats first locks the event row (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite the request already holds the write lock through `BEGIN IMMEDIATE`), so
the count and the insert happen as one step. The unique seat number per event is the backstop.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.accounts.models import User
from app.accounts.personal_data import Traces
from app.bilingual import localized_later
from app.db import utcnow
from app.errors import Conflict, NotFound, raise_field_errors
from app.events import policies
from app.events.models import Event, Registration, RegistrationStatus, transition
from app.i18n import N_, gettext
from app.notifications.kinds import register_kind
from app.notifications.service import notify
from app.pagination import Paging, paginate

REGISTRATION_CONFIRMED = register_kind(
    "events.registration_confirmed", N_("Confirmations of event registrations")
)
PROMOTED = register_kind(
    "events.promoted", N_("A seat at an event became free for you"), essential=True
)
REMINDER = register_kind("events.reminder", N_("Reminders of events"))

ACTIVE = (RegistrationStatus.registered, RegistrationStatus.waitlisted)


# --- Publishing -------------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    refusal = policies.management_refusal(actor)
    if refusal is not None:
        raise refusal


def time_problems(values: Mapping[str, Any], *, now: datetime) -> dict[str, str]:
    """Every rule the times break (those read so far), so a form can show them all at once."""
    problems: dict[str, str] = {}
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts_at, datetime) and starts_at <= now:
        problems["starts_at"] = gettext("An event cannot start in the past.")
    if isinstance(starts_at, datetime) and isinstance(ends_at, datetime) and ends_at <= starts_at:
        problems["ends_at"] = gettext("The event must end after it starts.")
    return problems


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    """Fields given as null are left as they are, except the capacity: null lifts the limit."""
    return {k: v for k, v in values.items() if v is not None or k == "capacity"}


def create_event(session: Session, *, actor: User, values: Mapping[str, Any]) -> Event:
    """Staff only (403). Ends after it starts and starts in the future (422)."""
    _require_manager(actor)
    values = _cleaned(values)
    raise_field_errors(time_problems(values, now=utcnow()))
    event = Event(**values, created_by_id=actor.id)
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="events.event_created",
        entity_type="event",
        entity_id=event.id,
        data={"title": event.title, "kind": event.kind.value, "capacity": event.capacity},
    )
    return event


def update_event(
    session: Session, *, actor: User, event_id: int, values: Mapping[str, Any]
) -> Event:
    """Staff only. The capacity may not drop below the seats already taken (409); more seats,
    or none limit at all, promote waitlisted people at once."""
    _require_manager(actor)
    event = lock_event(session, event_id)
    values = _cleaned(values)
    if "starts_at" in values or "ends_at" in values:
        merged = {
            "starts_at": values.get("starts_at", event.starts_at),
            "ends_at": values.get("ends_at", event.ends_at),
        }
        problems = time_problems(merged, now=utcnow())
        if "starts_at" not in values or values["starts_at"] == event.starts_at:
            problems.pop("starts_at", None)  # an event under way keeps its start
        raise_field_errors(problems)
    if values.get("capacity") is not None:
        registered = count_registered(session, event.id)
        if values["capacity"] < registered:
            raise Conflict(
                gettext(
                    "The capacity cannot be %(capacity)s: %(registered)s people are already "
                    "registered. Choose at least %(registered)s.",
                    capacity=values["capacity"],
                    registered=registered,
                )
            )
    for key, value in values.items():
        setattr(event, key, value)
    session.flush()
    _compact_seats(session, event)
    audit.record(
        session,
        actor_id=actor.id,
        action="events.event_updated",
        entity_type="event",
        entity_id=event.id,
        data={k: str(v) for k, v in values.items()},
    )
    promote_waitlist(session, event, actor=actor)
    return event


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(gettext("Event not found."))
    return event


def visible_event(session: Session, user: User | None, event_id: int) -> Event:
    """The event if the caller may see it (members-only: members and staff), else 401/404."""
    event = get_event(session, event_id)
    refusal = policies.visibility_refusal(session, user, event)
    if refusal is not None:
        raise refusal
    return event


def lock_event(session: Session, event_id: int) -> Event:
    """The event row, locked until the transaction ends (PostgreSQL); SQLite serialises
    writers already (`BEGIN IMMEDIATE`), and SQLAlchemy drops FOR UPDATE there."""
    event = session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise NotFound(gettext("Event not found."))
    return event


def list_upcoming(
    session: Session, user: User | None, *, paging: Paging
) -> tuple[list[Event], int]:
    """Events not yet over, soonest first; members-only ones only to members and staff."""
    statement = select(Event).where(Event.ends_at > utcnow())
    if not policies.sees_members_only(session, user):
        statement = statement.where(Event.members_only.is_(False))
    return paginate(session, statement.order_by(Event.starts_at, Event.id), paging)


def list_all(session: Session, *, paging: Paging) -> tuple[list[Event], int]:
    """Every event for staff, latest start first."""
    return paginate(
        session, select(Event).order_by(Event.starts_at.desc(), Event.id.desc()), paging
    )


def event_context(event: Event) -> dict[str, Any]:
    """What the event emails say about an event: title, start and place."""
    return {
        "event_title": localized_later(event, "title"),
        "starts_at": event.starts_at,
        "location": localized_later(event, "location"),
    }


# --- Seats and the waitlist -------------------------------------------------------------------


@dataclass(frozen=True)
class SeatCounts:
    registered: int = 0
    waitlisted: int = 0


def seat_counts(session: Session, event_ids: Collection[int]) -> dict[int, SeatCounts]:
    if not event_ids:
        return {}
    rows = session.execute(
        select(Registration.event_id, Registration.status, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids), Registration.status.in_(ACTIVE))
        .group_by(Registration.event_id, Registration.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for event_id, status, number in rows:
        counts.setdefault(event_id, {})[RegistrationStatus(status).value] = number
    return {
        eid: SeatCounts(
            counts.get(eid, {}).get("registered", 0), counts.get(eid, {}).get("waitlisted", 0)
        )
        for eid in event_ids
    }


def count_registered(session: Session, event_id: int) -> int:
    return seat_counts(session, [event_id])[event_id].registered


def seats_left(event: Event, counts: SeatCounts) -> int | None:
    """None for an event without a limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - counts.registered)


def _has_free_seat(session: Session, event: Event) -> bool:
    return event.capacity is None or count_registered(session, event.id) < event.capacity


def _free_seat(session: Session, event: Event) -> int:
    taken = set(
        session.scalars(
            select(Registration.seat_number).where(
                Registration.event_id == event.id, Registration.seat_number.is_not(None)
            )
        )
    )
    highest = event.capacity if event.capacity is not None else len(taken) + 1
    for seat in range(1, highest + 1):
        if seat not in taken:
            return seat
    raise Conflict(gettext("The event is full."))


def _compact_seats(session: Session, event: Event) -> None:
    """After a capacity cut, move people holding seat numbers above it into free lower seats."""
    if event.capacity is None:
        return
    rows = session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.registered,
            Registration.seat_number > event.capacity,
        )
    ).all()
    for registration in rows:
        registration.seat_number = _free_seat(session, event)
        session.flush()


def _next_queue_number(session: Session, event_id: int) -> int:
    highest = session.scalar(
        select(func.max(Registration.queue_number)).where(Registration.event_id == event_id)
    )
    return (highest or 0) + 1


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """1 for the first person waiting; None when not on the waitlist."""
    if registration.status != RegistrationStatus.waitlisted or registration.queue_number is None:
        return None
    ahead = (
        session.scalar(
            select(func.count(Registration.id)).where(
                Registration.event_id == registration.event_id,
                Registration.status == RegistrationStatus.waitlisted,
                Registration.queue_number < registration.queue_number,
            )
        )
        or 0
    )
    return ahead + 1


def waitlist_positions(registrations: Iterable[Registration]) -> dict[int, int]:
    """`waitlist_position` of everyone waiting in a whole list of participants, without a
    query: registration id -> place."""
    queues: dict[int, list[tuple[int, int]]] = {}
    for r in registrations:
        if r.status == RegistrationStatus.waitlisted and r.queue_number is not None:
            queues.setdefault(r.event_id, []).append((r.queue_number, r.id))
    return {
        registration_id: place
        for queue in queues.values()
        for place, (_number, registration_id) in enumerate(sorted(queue), start=1)
    }


# --- Registration -----------------------------------------------------------------------------


def register(session: Session, *, actor: User, event_id: int) -> Registration:
    """Take a seat when there is one, else join the end of the waitlist. Members-only events are
    not found by non-members (404); registration closes when the event starts (409); a second
    active registration is a 409."""
    visible_event(session, actor, event_id)
    event = lock_event(session, event_id)
    registration = session.scalar(
        select(Registration).where(
            Registration.event_id == event_id, Registration.user_id == actor.id
        )
    )
    refusal = policies.registration_refusal(event, registration, now=utcnow())
    if refusal is not None:
        raise refusal
    if registration is None:
        registration = Registration(
            event_id=event_id, user_id=actor.id, status=RegistrationStatus.cancelled
        )
        session.add(registration)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError as exc:
            raise Conflict(gettext("You are already registered for this event.")) from exc
    registration.attended = None
    registration.attendance_marked_at = None
    registration.reminder_sent_at = None
    seat = queue = None
    if _has_free_seat(session, event):
        seat = _free_seat(session, event)
        to = RegistrationStatus.registered
    else:
        queue = _next_queue_number(session, event_id)
        to = RegistrationStatus.waitlisted
    try:
        with session.begin_nested():
            transition(
                session,
                registration,
                to,
                actor=actor,
                action=f"register_{to.value}",
                seat_number=seat,
                queue_number=queue,
            )
    except IntegrityError as exc:
        raise Conflict(gettext("The seat was taken at the same moment; please try again.")) from exc
    _confirm(session, registration, event)
    return registration


def _confirm(session: Session, registration: Registration, event: Event) -> None:
    """The person registered (or put on the waitlist) hears at once what they hold."""
    waitlisted = registration.status == RegistrationStatus.waitlisted
    notify(
        session,
        recipient=registration.user,
        kind=REGISTRATION_CONFIRMED,
        template="events/waitlisted" if waitlisted else "events/registered",
        key=f"events.confirmed.{registration.id}.{registration.updated_at.isoformat()}",
        context={
            **event_context(event),
            "queue_position": waitlist_position(session, registration) if waitlisted else None,
        },
        link=f"/events/{event.id}",
    )


def cancel_mine(session: Session, *, actor: User, event_id: int) -> Registration:
    """Give up a seat (before the event starts, else 409) or leave the waitlist (any time).
    A freed seat goes at once to the first person on the waitlist, who is told by email."""
    event = lock_event(session, event_id)
    registration = session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.user_id == actor.id,
            Registration.status.in_(ACTIVE),
        )
    )
    if registration is None:
        raise NotFound(gettext("You are not registered for this event."))
    refusal = policies.cancellation_refusal(event, registration, now=utcnow())
    if refusal is not None:
        raise refusal
    was_registered = registration.holds_seat
    transition(
        session,
        registration,
        RegistrationStatus.cancelled,
        actor=actor,
        action="cancelled" if was_registered else "left_waitlist",
    )
    if was_registered:
        promote_waitlist(session, event, actor=actor)
    return registration


def promote_waitlist(session: Session, event: Event, *, actor: User | None) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served, and tell each person.
    The caller holds the event lock."""
    if event.starts_at <= utcnow():
        return []
    promoted: list[Registration] = []
    while _has_free_seat(session, event):
        first = session.scalar(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.waitlisted,
            )
            .order_by(Registration.queue_number)
            .limit(1)
        )
        if first is None:
            break
        seat = _free_seat(session, event)
        transition(
            session,
            first,
            RegistrationStatus.registered,
            actor=actor,
            action="promoted",
            seat_number=seat,
        )
        notify(
            session,
            recipient=first.user,
            kind=PROMOTED,
            template="events/promoted",
            key=f"events.promoted.{first.id}.{first.updated_at.isoformat()}",
            context=event_context(event),
            link=f"/events/{event.id}",
        )
        promoted.append(first)
    return promoted


def release_places(session: Session, *, actor: User, user: User) -> None:
    """A leaving person gives up their seats at events yet to start and every waitlist place;
    each freed seat goes to the first person waiting, who is told. Past seats stay."""
    held = session.execute(
        select(Registration.id, Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            (Registration.status == RegistrationStatus.waitlisted)
            | (
                (Registration.status == RegistrationStatus.registered)
                & (Event.starts_at > utcnow())
            ),
        )
        .order_by(Registration.event_id)  # one lock order for every caller
    ).all()
    for registration_id, event_id in held:
        event = lock_event(session, event_id)
        registration = session.get(Registration, registration_id, populate_existing=True)
        if registration is None or not registration.is_active:
            continue
        was_registered = registration.holds_seat
        transition(
            session, registration, RegistrationStatus.cancelled, actor=actor, action="released"
        )
        if was_registered:
            promote_waitlist(session, event, actor=actor)


def participants(session: Session, event_id: int) -> list[Registration]:
    """Seats first (by seat), then the waitlist in order, then cancellations."""
    rows = session.scalars(
        select(Registration)
        .options(joinedload(Registration.user))
        .where(Registration.event_id == event_id)
        .order_by(Registration.id)
    ).all()
    order = {
        RegistrationStatus.registered: 0,
        RegistrationStatus.waitlisted: 1,
        RegistrationStatus.cancelled: 2,
    }
    return sorted(
        rows, key=lambda r: (order[r.status], r.seat_number or 0, r.queue_number or 0, r.id)
    )


def registrations_of_user(
    session: Session, user: User, *, event_ids: Collection[int] | None = None
) -> list[Registration]:
    """The user's seats and waitlist places, in time order (of the given events only)."""
    statement: Select[Registration] = (
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .options(joinedload(Registration.event))
        .where(Registration.user_id == user.id, Registration.status.in_(ACTIVE))
    )
    if event_ids is not None:
        statement = statement.where(Registration.event_id.in_(event_ids))
    return list(session.scalars(statement.order_by(Event.starts_at)))


def mine(session: Session, user: User, event_id: int) -> Registration:
    found = registrations_of_user(session, user, event_ids=[event_id])
    if not found:
        raise NotFound(gettext("You are not registered for this event."))
    return found[0]


# --- Attendance -------------------------------------------------------------------------------


def mark_attendance(
    session: Session, *, actor: User, event_id: int, user_id: int, attended: bool
) -> Registration:
    """Staff mark whether a person holding a seat came (once the event has started, else 409);
    someone without a seat is not found (404)."""
    _require_manager(actor)
    event = get_event(session, event_id)
    refusal = policies.attendance_refusal(actor, event, now=utcnow())
    if refusal is not None:
        raise refusal
    registration = session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status == RegistrationStatus.registered,
        )
    )
    if registration is None:
        raise NotFound(gettext("This person holds no seat at the event."))
    before = registration.attended
    registration.attended = attended
    registration.attendance_marked_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="events.attendance_marked",
        entity_type="event_registration",
        entity_id=registration.id,
        data={"event_id": event_id, "user_id": user_id, "from": before, "to": attended},
    )
    return registration


# --- Personal data ----------------------------------------------------------------------------


def export_events(session: Session, user: User) -> dict[str, Any]:
    rows = session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id)
        .order_by(Registration.id)
    ).all()
    return {
        "registrations": [
            {
                "event": event.title,
                "event_id": event.id,
                "starts_at": event.starts_at.isoformat(),
                "status": registration.status.value,
                "attended": registration.attended,
                "created_at": registration.created_at.isoformat(),
            }
            for registration, event in rows
        ]
    }


def erase_registrations(session: Session, *, user: User, traces: Traces) -> None:
    """Given-up places tell nothing anyone needs: they go. Seats at past events stay with the
    anonymised account, so the events' attendance figures hold."""
    session.execute(
        delete(Registration).where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.cancelled,
        )
    )
    session.flush()
