"""Courses, their sessions, enrolments (seat or waitlist place), and completion certificates.

Overbooking is prevented twice: the service locks the session row before counting seats, and the
database refuses two enrolments holding the same seat of a session (`seat_number` is unique per
session and only ever chosen from 1..capacity) or the same waitlist number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, str_enum, utcnow
from app.i18n import N_, NC_
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


class Course(Base):
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
    min_sessions: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="course", order_by="TrainingSession.starts_at"
    )


class TrainingSession(Base):
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


class Certificate(Base):
    """Issued once per person and course when the course's completion rule is met.
    Numbered per year: `BP-2026-0007`."""

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

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()
