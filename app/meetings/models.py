"""Investor profiles, availability, meeting requests, meetings, busy intervals and pitch days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, str_enum, utcnow
from app.i18n import N_, NC_
from app.vocab import LabelledEnum


class InvestorProfile(Base):
    """What an investor organisation looks for; contacts show only after an accepted meeting."""

    __tablename__ = "investor_profiles"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    ticket_min_rub: Mapped[int | None] = mapped_column(BigInteger)
    ticket_max_rub: Mapped[int | None] = mapped_column(BigInteger)
    thesis: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AvailabilityWindow(Base):
    __tablename__ = "investor_availability"
    __table_args__ = (
        Index("ix_investor_availability_investor_starts", "investor_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    slot_minutes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestStatus(LabelledEnum):
    requested = "requested"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "requested": NC_("meeting request", "Requested"),
            "accepted": NC_("meeting request", "Accepted"),
            "declined": NC_("meeting request", "Declined"),
            "expired": NC_("meeting request", "Expired"),
            "withdrawn": NC_("meeting request", "Withdrawn"),
        }


REQUEST_TRANSITIONS: dict[RequestStatus, set[RequestStatus]] = {
    RequestStatus.requested: {
        RequestStatus.accepted,
        RequestStatus.declined,
        RequestStatus.expired,
        RequestStatus.withdrawn,
    },
    RequestStatus.accepted: set(),
    RequestStatus.declined: set(),
    RequestStatus.expired: set(),
    RequestStatus.withdrawn: set(),
}


class MeetingRequest(Base):
    __tablename__ = "meeting_requests"
    __table_args__ = (Index("ix_meeting_requests_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    # The slot the requester proposes, if any: held for both sides while the request is pending.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, 12), default=RequestStatus.requested
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # The optional pitch deck: a PDF stored under a server-generated name outside the web root.
    deck_filename: Mapped[str | None] = mapped_column(String(200))
    deck_stored_name: Mapped[str | None] = mapped_column(String(80))
    deck_size: Mapped[int | None]


class MeetingStatus(LabelledEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"
    completed = "completed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "scheduled": N_("Scheduled"),
            "cancelled": NC_("meeting", "Cancelled"),
            "completed": N_("Completed"),
        }


MEETING_TRANSITIONS: dict[MeetingStatus, set[MeetingStatus]] = {
    MeetingStatus.scheduled: {MeetingStatus.cancelled, MeetingStatus.completed},
    MeetingStatus.cancelled: set(),
    MeetingStatus.completed: set(),
}


class Meeting(Base):
    __tablename__ = "meetings"
    # An organisation's meetings, and whether it has met a given investor.
    __table_args__ = (Index("ix_meetings_organisation_investor", "organisation_id", "investor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="SET NULL"), unique=True
    )
    investor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, 12), default=MeetingStatus.scheduled
    )
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    no_show: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    feedback: Mapped[list[MeetingFeedback]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="selectin"
    )


class BusyInterval(Base):
    """One row per participant of a live meeting or of the slot a pending request holds:
    `participant` is "user:<id>" or "org:<id>"; exactly one of `meeting_id` and `request_id` is set.

    On PostgreSQL an exclusion constraint refuses two overlapping rows for the same participant,
    so no interleaving of transactions can double-book; on SQLite writers are serialised
    (BEGIN IMMEDIATE) and the service checks for an overlap before inserting.
    """

    __tablename__ = "meeting_busy"
    __table_args__ = (
        Index("ix_meeting_busy_participant_starts", "participant", "starts_at"),
        CheckConstraint("(meeting_id IS NULL) <> (request_id IS NULL)", name="one_owner"),
        ExcludeConstraint(
            ("participant", "="),
            (func.tstzrange(column("starts_at"), column("ends_at")), "&&"),
            name="ex_meeting_busy_no_overlap",
            using="gist",
            info={"postgresql_only": True},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), index=True
    )
    participant: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class Outcome(LabelledEnum):
    none = "none"
    follow_up = "follow_up"
    term_sheet = "term_sheet"
    investment = "investment"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "none": N_("No outcome"),
            "follow_up": N_("Follow-up meeting"),
            "term_sheet": N_("Term sheet"),
            "investment": N_("Investment"),
        }


class MeetingFeedback(Base):
    __tablename__ = "meeting_feedback"
    __table_args__ = (UniqueConstraint("meeting_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(20))
    rating: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, 20), default=Outcome.none)
    amount_rub: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="feedback")


class PitchDay(Base):
    __tablename__ = "pitch_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date]
    slot_starts: Mapped[list[str]] = mapped_column(JSON)
    slot_minutes: Mapped[int]
    tables: Mapped[int]
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PitchParticipant(Base):
    __tablename__ = "pitch_participants"
    __table_args__ = (UniqueConstraint("pitch_day_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_day_id: Mapped[int] = mapped_column(ForeignKey("pitch_days.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    slots: Mapped[list[int]] = mapped_column(JSON)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A digest of the agenda the organisation was last told about (a publication tells it again
    # only when its own meetings changed).
    announced_agenda: Mapped[str | None] = mapped_column(String(64))


class PitchWish(Base):
    __tablename__ = "pitch_wishes"
    __table_args__ = (UniqueConstraint("pitch_day_id", "organisation_id", "with_organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_day_id: Mapped[int] = mapped_column(ForeignKey("pitch_days.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    with_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    priority: Mapped[int] = mapped_column(default=1)
    no_thanks: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PitchMeeting(Base):
    __tablename__ = "pitch_meetings"
    __table_args__ = (
        UniqueConstraint("pitch_day_id", "slot", "table_number"),
        UniqueConstraint("pitch_day_id", "first_organisation_id", "second_organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_day_id: Mapped[int] = mapped_column(ForeignKey("pitch_days.id", ondelete="CASCADE"))
    first_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    second_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    slot: Mapped[int]
    table_number: Mapped[int]
    priority: Mapped[int] = mapped_column(default=1)
    locked: Mapped[bool] = mapped_column(default=False)


def as_dict(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
