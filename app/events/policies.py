"""Who may publish events and see the participants, who sees an event, when a place may be
taken or given up, and when attendance may be marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.errors import Conflict, DomainError, Forbidden, NotAuthenticated, NotFound
from app.events.models import Event, Registration, RegistrationStatus
from app.i18n import gettext
from app.membership.queries import is_member


def can_manage_events(user: User | None) -> bool:
    return user is not None and user.is_staff


def management_refusal(user: User | None) -> DomainError | None:
    """Events, their participants and attendance are managed by cluster staff (403)."""
    if can_manage_events(user):
        return None
    return Forbidden(gettext("You do not have permission to do this."))


def sees_members_only(session: Session, user: User | None) -> bool:
    """Members-only events are shown to people of a member organisation and to staff."""
    if user is None:
        return False
    return can_manage_events(user) or is_member(session, user)


def can_see_event(session: Session, user: User | None, event: Event) -> bool:
    return not event.members_only or sees_members_only(session, user)


def visibility_refusal(session: Session, user: User | None, event: Event) -> DomainError | None:
    """A members-only event asks a visitor to log in (401) and is not found (404) by anyone
    else who may not see it."""
    if can_see_event(session, user, event):
        return None
    if user is None:
        return NotAuthenticated(gettext("Please log in."))
    return NotFound(gettext("Event not found."))


def has_started(event: Event, now: datetime) -> bool:
    return event.starts_at <= now


def registration_refusal(
    event: Event, registration: Registration | None, *, now: datetime
) -> DomainError | None:
    """Why a place at the event cannot be taken now (409), or None: registration closes when the
    event starts, and a person holds at most one seat or waitlist place."""
    if has_started(event, now):
        return Conflict(gettext("Registration is closed: the event has already started."))
    if registration is not None and registration.status == RegistrationStatus.registered:
        return Conflict(gettext("You are already registered for this event."))
    if registration is not None and registration.status == RegistrationStatus.waitlisted:
        return Conflict(gettext("You are already on the waitlist of this event."))
    return None


def cancellation_refusal(
    event: Event, registration: Registration, *, now: datetime
) -> DomainError | None:
    """A seat may be given up until the event starts (409 after); a waitlist place any time."""
    if registration.status == RegistrationStatus.registered and has_started(event, now):
        return Conflict(gettext("The event has already started; the seat cannot be given up."))
    return None


def attendance_refusal(user: User | None, event: Event, *, now: datetime) -> DomainError | None:
    """Staff (403) mark attendance once the event has started (409 before)."""
    refusal = management_refusal(user)
    if refusal is not None:
        return refusal
    if not has_started(event, now):
        return Conflict(gettext("Attendance can be marked once the event has started."))
    return None


def can_mark_attendance(
    user: User | None, event: Event, registration: Registration, *, now: datetime
) -> bool:
    """Attendance is marked for the people holding a seat."""
    return (
        registration.status == RegistrationStatus.registered
        and attendance_refusal(user, event, now=now) is None
    )


@dataclass(frozen=True)
class EventActions:
    """What an event's page or row offers its viewer."""

    holds_seat: bool
    on_waitlist: bool
    unregister: bool
    register: bool
    log_in_to_register: bool
    manage: bool


def event_actions(
    user: User | None, event: Event, mine: Registration | None, *, now: datetime
) -> EventActions:
    holds_seat = mine is not None and mine.status == RegistrationStatus.registered
    on_waitlist = mine is not None and mine.status == RegistrationStatus.waitlisted
    return EventActions(
        holds_seat=holds_seat,
        on_waitlist=on_waitlist,
        unregister=(
            mine is not None
            and mine.is_active
            and cancellation_refusal(event, mine, now=now) is None
        ),
        register=(
            user is not None
            and not holds_seat
            and not on_waitlist
            and registration_refusal(event, mine, now=now) is None
        ),
        log_in_to_register=user is None and not has_started(event, now),
        manage=can_manage_events(user),
    )
