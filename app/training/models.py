"""Courses, their sessions, enrolments (seat or waitlist place), and completion certificates.

Overbooking is prevented twice: the service locks the session row before counting seats, and the
database refuses two enrolments holding the same seat of a session (`seat_number` is unique per
session and only ever chosen from 1..capacity) or the same waitlist number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app import audit
from app.accounts.models import User
from app.bilingual import Translatable
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import N_, NC_, gettext
from app.vocab import LabelledEnum


class CompletionRule(LabelledEnum):
    all_sessions = "all_sessions"
    at_least = "at_least"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "all_sessions": N_("Attend every session"),
            "at_least": N_("Attend at least a number of sessions"),
        }


class Course(Translatable, Base):
    __tablename__ = "training_courses"
    __table_args__ = (
        CheckConstraint("min_sessions IS NULL OR min_sessions >= 1", name="min_sessions_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="ru")
    members_only: Mapped[bool] = mapped_column(default=False)
    investor_readiness: Mapped[bool] = mapped_column(default=False)
    completion_rule: Mapped[CompletionRule] = mapped_column(
        str_enum(CompletionRule, 20), default=CompletionRule.all_sessions
    )
    __translatable__ = {"title": 200, "description": 20_000}

    min_sessions: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="course", order_by="TrainingSession.starts_at"
    )


class TrainingSession(Translatable, Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("company_cap IS NULL OR company_cap >= 1", name="company_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    location: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    company_cap: Mapped[int | None]
    __translatable__ = {"location": 300}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions")


class EnrolmentStatus(LabelledEnum):
    enrolled = "enrolled"
    waitlisted = "waitlisted"
    cancelled = "cancelled"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "enrolled": N_("Enrolled"),
            "waitlisted": N_("On the waitlist"),
            "cancelled": NC_("enrolment", "Cancelled"),
        }


class Enrolment(Base):
    """One person's place in one session. A cancelled row is reused when they enrol again, so a
    person has at most one row per session."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        UniqueConstraint("session_id", "seat_number"),
        UniqueConstraint("session_id", "queue_number"),
        CheckConstraint("seat_number IS NULL OR seat_number >= 1", name="seat_number_positive"),
        CheckConstraint(
            "(status = 'enrolled' AND seat_number IS NOT NULL AND queue_number IS NULL)"
            " OR (status = 'waitlisted' AND seat_number IS NULL AND queue_number IS NOT NULL)"
            " OR (status = 'cancelled' AND seat_number IS NULL AND queue_number IS NULL)",
            name="status_matches_place",
        ),
        Index("ix_training_enrolments_org", "session_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus, 12))
    seat_number: Mapped[int | None]
    queue_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended: Mapped[bool | None]
    attendance_marked_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]

    session: Mapped[TrainingSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def holds_seat(self) -> bool:
        return self.status == EnrolmentStatus.enrolled

    @property
    def is_active(self) -> bool:
        """A seat or a waitlist place (not given up)."""
        return self.status in (EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted)


class Certificate(Base):
    """Issued once per person and course when the course's completion rule is met.
    Numbered per year: `BP-2026-0007`.

    Withdrawn attendance that undoes the completion revokes it: the row stays (its number is
    never given to anyone else and `/verify` answers "revoked"), with the date and the staff
    member. Completing the course again reinstates the same certificate."""

    __tablename__ = "training_certificates"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id"),
        UniqueConstraint("year", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    verify_code: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


TRANSITIONS: dict[EnrolmentStatus, frozenset[EnrolmentStatus]] = {
    EnrolmentStatus.enrolled: frozenset({EnrolmentStatus.cancelled}),
    EnrolmentStatus.waitlisted: frozenset({EnrolmentStatus.enrolled, EnrolmentStatus.cancelled}),
    EnrolmentStatus.cancelled: frozenset({EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted}),
}


def transition(
    session: Session,
    enrolment: Enrolment,
    to: EnrolmentStatus,
    *,
    actor: User | None,
    action: str,
    seat_number: int | None = None,
    queue_number: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move an enrolment to `to` with its new seat or waitlist number (the database checks that
    they match the state), or refuse (409); the audit row records who and why."""
    source = enrolment.status
    if to not in TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(gettext("This enrolment cannot change to that state."))
    enrolment.status = to
    enrolment.seat_number = seat_number
    enrolment.queue_number = queue_number
    enrolment.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"training.{action}",
        entity_type="training_enrolment",
        entity_id=enrolment.id,
        data={
            "from": source.value,
            "to": to.value,
            "session_id": enrolment.session_id,
            "user_id": enrolment.user_id,
            "seat": seat_number,
            "queue": queue_number,
            **(data or {}),
        },
    )
