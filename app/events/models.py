"""Events beyond training (networking days, conferences, demo days, workshops) and the places
people hold in them: a seat or a waitlist place.

Overbooking is prevented as in training: the service locks the event row before counting seats,
and the database refuses two registrations holding the same seat of an event (`seat_number` is
unique per event and, for a limited event, only ever chosen from 1..capacity) or the same
waitlist number. An event without a capacity never has a waitlist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app import audit
from app.accounts.models import User
from app.bilingual import Translatable
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import N_, NC_, gettext
from app.vocab import LabelledEnum


class EventKind(LabelledEnum):
    networking = "networking"
    conference = "conference"
    demo_day = "demo_day"
    workshop = "workshop"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "networking": N_("Networking day"),
            "conference": N_("Conference"),
            "demo_day": N_("Demo day"),
            "workshop": N_("Workshop"),
        }


class Event(Translatable, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="ru")
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 20))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(300))
    capacity: Mapped[int | None]
    members_only: Mapped[bool] = mapped_column(default=False)
    __translatable__ = {"title": 200, "description": 20_000, "location": 300}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RegistrationStatus(LabelledEnum):
    registered = "registered"
    waitlisted = "waitlisted"
    cancelled = "cancelled"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "registered": N_("Registered"),
            "waitlisted": N_("On the waitlist"),
            "cancelled": NC_("registration", "Cancelled"),
        }


class Registration(Base):
    """One person's place at one event. A cancelled row is reused when they register again, so
    a person has at most one row per event."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        UniqueConstraint("event_id", "seat_number"),
        UniqueConstraint("event_id", "queue_number"),
        CheckConstraint("seat_number IS NULL OR seat_number >= 1", name="seat_number_positive"),
        CheckConstraint(
            "(status = 'registered' AND seat_number IS NOT NULL AND queue_number IS NULL)"
            " OR (status = 'waitlisted' AND seat_number IS NULL AND queue_number IS NOT NULL)"
            " OR (status = 'cancelled' AND seat_number IS NULL AND queue_number IS NULL)",
            name="status_matches_place",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, 12))
    seat_number: Mapped[int | None]
    queue_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended: Mapped[bool | None]
    attendance_marked_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()

    @property
    def holds_seat(self) -> bool:
        return self.status == RegistrationStatus.registered

    @property
    def is_active(self) -> bool:
        """A seat or a waitlist place (not given up)."""
        return self.status in (RegistrationStatus.registered, RegistrationStatus.waitlisted)


TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    RegistrationStatus.registered: frozenset({RegistrationStatus.cancelled}),
    RegistrationStatus.waitlisted: frozenset(
        {RegistrationStatus.registered, RegistrationStatus.cancelled}
    ),
    RegistrationStatus.cancelled: frozenset(
        {RegistrationStatus.registered, RegistrationStatus.waitlisted}
    ),
}


def transition(
    session: Session,
    registration: Registration,
    to: RegistrationStatus,
    *,
    actor: User | None,
    action: str,
    seat_number: int | None = None,
    queue_number: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move a registration to `to` with its new seat or waitlist number (the database checks
    that they match the state), or refuse (409); the audit row records who and why."""
    source = registration.status
    if to not in TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(gettext("This registration cannot change to that state."))
    registration.status = to
    registration.seat_number = seat_number
    registration.queue_number = queue_number
    registration.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"events.{action}",
        entity_type="event_registration",
        entity_id=registration.id,
        data={
            "from": source.value,
            "to": to.value,
            "event_id": registration.event_id,
            "user_id": registration.user_id,
            "seat": seat_number,
            "queue": queue_number,
            **(data or {}),
        },
    )
