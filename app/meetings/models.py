"""Investor profiles, availability, meeting requests, meetings, busy intervals and pitch days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, overload
from zoneinfo import ZoneInfo

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
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.audit import record
from app.bilingual import Translatable
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import DEFAULT_TIMEZONE, N_, NC_, gettext
from app.vocab import LabelledEnum

if TYPE_CHECKING:
    from app.accounts.models import User


class InvestorProfile(Translatable, Base):
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
    __translatable__ = {"thesis": 5000}
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
    # The calendar SEQUENCE: raised by each change the two sides are sent a new `.ics` for.
    sequence: Mapped[int] = mapped_column(default=0)
    location: Mapped[str | None] = mapped_column(String(300))
    video_url: Mapped[str | None] = mapped_column(String(500))
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
    so no interleaving of transactions can double-book; on SQLite triggers (migration 0020)
    refuse the same rows, and writers are serialised (BEGIN IMMEDIATE) so that the service's
    own check answers first.
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


class PitchDayStage(LabelledEnum):
    registration = "registration"
    preparation = "preparation"
    published = "published"
    past = "past"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "registration": N_("Registration open"),
            "preparation": N_("In preparation"),
            "published": NC_("pitch day", "Published"),
            "past": NC_("pitch day", "Past"),
        }


class PitchDay(Translatable, Base):
    """A day of short meetings at tables. Slot starts are local times of the venue, whose time
    zone is `timezone`; registration (and stating wishes) closes at `registration_closes_at`, or
    when the first slot begins, and in any case once the schedule is published."""

    __tablename__ = "pitch_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    __translatable__ = {"name": 200, "venue": 300}
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    date: Mapped[date]
    slot_starts: Mapped[list[str]] = mapped_column(JSON)
    slot_minutes: Mapped[int]
    tables: Mapped[int]
    registration_closes_at: Mapped[datetime | None]
    # What the last run of the scheduler reported: placed, upper bound, unplaced wishes and why.
    schedule_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def slot_start(self, slot: int) -> datetime:
        """When slot number `slot` begins, as an aware time in the venue's zone."""
        hours, minutes = (int(part) for part in self.slot_starts[slot].split(":"))
        return datetime.combine(self.date, time(hours, minutes), tzinfo=ZoneInfo(self.timezone))

    def slot_end(self, slot: int) -> datetime:
        return self.slot_start(slot) + timedelta(minutes=self.slot_minutes)

    def registration_deadline(self) -> datetime:
        """The moment registration and wishes close (unless publication closes them first)."""
        return self.registration_closes_at or self.slot_start(0)

    def is_registration_open(self, now: datetime | None = None) -> bool:
        return self.published_at is None and (now or utcnow()) < self.registration_deadline()

    def stage(self, now: datetime | None = None) -> PitchDayStage:
        now = now or utcnow()
        if self.date < now.astimezone(ZoneInfo(self.timezone)).date():
            return PitchDayStage.past
        if self.published_at is not None:
            return PitchDayStage.published
        if self.is_registration_open(now):
            return PitchDayStage.registration
        return PitchDayStage.preparation


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
    # The wish's place in its organisation's ordered list (0 first); None for a wish stated
    # through the API that was never ordered, which follows the ordered ones.
    rank: Mapped[int | None]
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


# --- status changes ------------------------------------------------------------------------------


def can_become(subject: MeetingRequest | Meeting, to: RequestStatus | MeetingStatus) -> bool:
    """Whether the transition table allows `subject` to move to `to`."""
    if isinstance(subject, MeetingRequest):
        return to in REQUEST_TRANSITIONS[subject.status]
    return to in MEETING_TRANSITIONS[subject.status]


def refusal(subject: MeetingRequest | Meeting) -> InvalidTransition:
    """The 409 for a move the transition table does not allow from the current status."""
    status = subject.status.label
    if isinstance(subject, MeetingRequest):
        return InvalidTransition(
            gettext("The request is %(status)s; this is no longer possible.", status=status)
        )
    return InvalidTransition(
        gettext("The meeting is %(status)s; this is no longer possible.", status=status)
    )


@overload
def transition(
    session: Session,
    subject: MeetingRequest,
    to: RequestStatus,
    *,
    actor: User | None,
    **data: Any,
) -> None: ...


@overload
def transition(
    session: Session, subject: Meeting, to: MeetingStatus, *, actor: User | None, **data: Any
) -> None: ...


def transition(
    session: Session,
    subject: MeetingRequest | Meeting,
    to: RequestStatus | MeetingStatus,
    *,
    actor: User | None,
    **data: Any,
) -> None:
    """The one place a meeting request or a meeting changes status: refuses a move the
    transition table does not allow (409), changes the status, then writes the audit row."""
    if not can_become(subject, to):
        raise refusal(subject)
    source = subject.status.value
    if isinstance(subject, MeetingRequest):
        subject.status = RequestStatus(to)
        subject.decided_at = utcnow()
        action, entity_type = f"meetings.request_{to.value}", "meeting_request"
    else:
        subject.status = MeetingStatus(to)
        subject.updated_at = utcnow()
        action, entity_type = f"meetings.meeting_{to.value}", "meeting"
    session.flush()
    record(
        session,
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=subject.id,
        data={"from": source, **data},
    )
