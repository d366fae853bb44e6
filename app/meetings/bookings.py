"""Meetings once booked: who sees them, cancelling, rescheduling, feedback, no-shows and the
reminder the day before."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import User
from app.accounts.organisations import people_of
from app.audit import record
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, InvalidTransition, NotFound
from app.i18n import gettext
from app.meetings import busy, notices, people, policies
from app.meetings.availability import future_slot
from app.meetings.models import (
    Meeting,
    MeetingFeedback,
    MeetingStatus,
    Outcome,
    refusal,
    transition,
)
from app.meetings.statements import for_update, page
from app.notifications.models import OutboxMessage


def get_meeting(session: Session, *, actor: User, meeting_id: int, lock: bool = False) -> Meeting:
    """The meeting, if the caller may see it; else 404."""
    statement = select(Meeting).where(Meeting.id == meeting_id)
    meeting = session.scalar(for_update(session, statement) if lock else statement)
    if meeting is None or not policies.can_view_meeting(session, actor, meeting):
        raise NotFound(gettext("Meeting not found."))
    return meeting


def list_meetings(
    session: Session,
    *,
    actor: User,
    with_feedback: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Meeting], int]:
    """One page of the caller's meetings (as the investor or through any of their
    organisations), earliest first, and their total."""
    # A union of two index lookups: an OR of them makes PostgreSQL read every meeting.
    statement = select(Meeting).where(
        Meeting.id.in_(
            union(
                select(Meeting.id).where(Meeting.investor_id == actor.id),
                select(Meeting.id).where(
                    Meeting.organisation_id.in_(people.organisation_ids_of(actor))
                ),
            )
        )
    )
    if not with_feedback:
        statement = statement.options(lazyload(Meeting.feedback))
    return page(session, statement, (Meeting.starts_at, Meeting.id), limit, offset)


def cancel_meeting(
    session: Session, *, actor: User, meeting_id: int, reason: str | None
) -> Meeting:
    """Either side or staff cancels; the time is freed and the calendar SEQUENCE increases."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    if not policies.can_cancel_meeting(session, actor, meeting):
        if meeting.status == MeetingStatus.scheduled and policies.has_begun(meeting):
            raise InvalidTransition(
                gettext("The meeting has begun; it can no longer be cancelled.")
            )
        raise refusal(meeting)
    transition(session, meeting, MeetingStatus.cancelled, actor=actor)
    meeting.cancel_reason = reason
    meeting.sequence += 1
    busy.release_meeting(session, meeting)
    notices.tell_both_sides(
        session, meeting, "cancelled", f"meetings.meeting.{meeting.id}.cancelled"
    )
    return meeting


def reschedule_meeting(
    session: Session, *, actor: User, meeting_id: int, starts_at: datetime
) -> Meeting:
    """The investor or staff moves a scheduled meeting into another free slot."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    if not policies.can_reschedule_meeting(actor, meeting, check_state=False):
        raise Forbidden(gettext("Only the investor or staff may reschedule a meeting."))
    if not policies.can_reschedule_meeting(actor, meeting):
        raise InvalidTransition(
            gettext("Only a scheduled meeting that has not begun can be rescheduled.")
        )
    start, end = future_slot(session, meeting.investor_id, starts_at)
    busy.release_meeting(session, meeting)
    old = meeting.starts_at
    meeting.starts_at, meeting.ends_at = start, end
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.flush()
    busy.book(session, meeting)
    record(
        session,
        actor_id=actor.id,
        action="meetings.meeting_rescheduled",
        entity_type="meeting",
        entity_id=meeting.id,
        data={"from": old, "to": start},
    )
    notices.tell_both_sides(
        session,
        meeting,
        "rescheduled",
        f"meetings.meeting.{meeting.id}.rescheduled.{meeting.sequence}",
    )
    return meeting


def set_meeting_details(
    session: Session, *, actor: User, meeting_id: int, details: dict[str, str | None]
) -> Meeting:
    """The investor or staff sets the place and video link of a scheduled meeting (`details`
    holds the fields to replace); a change raises the calendar SEQUENCE and both sides are sent
    the updated invitation."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    if not policies.can_edit_meeting_details(actor, meeting, check_state=False):
        raise Forbidden(gettext("Only the investor or staff may change where the meeting is."))
    if not policies.can_edit_meeting_details(actor, meeting):
        raise refusal(meeting)
    changed = sorted(
        name
        for name in ("location", "video_url")
        if name in details and details[name] != getattr(meeting, name)
    )
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, details[name])
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.flush()
    # Only which fields changed: the append-only log keeps no free text.
    record(
        session,
        actor_id=actor.id,
        action="meetings.meeting_details_changed",
        entity_type="meeting",
        entity_id=meeting.id,
        data={"fields": changed},
    )
    notices.tell_both_sides(
        session, meeting, "updated", f"meetings.meeting.{meeting.id}.updated.{meeting.sequence}"
    )
    return meeting


def add_feedback(
    session: Session,
    *,
    actor: User,
    meeting_id: int,
    rating: int,
    note: str,
    outcome: str,
    amount_rub: int | None,
) -> MeetingFeedback:
    """After the meeting began, each participant records one rating, note and outcome;
    an investment names its amount in RUB."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id)
    if not policies.can_give_feedback(session, actor, meeting, check_state=False):
        raise Forbidden(gettext("Only the participants record feedback."))
    side = policies.meeting_side(session, actor, meeting)
    assert side is not None  # a participant, as can_give_feedback found
    if not policies.can_give_feedback(session, actor, meeting):
        raise Conflict(gettext("Feedback is possible only after the meeting took place."))
    if outcome == Outcome.investment and amount_rub is None:
        raise FieldError("amount_rub", gettext("Give the amount of the investment in RUB."))
    exists = session.scalar(
        select(MeetingFeedback.id).where(
            MeetingFeedback.meeting_id == meeting.id, MeetingFeedback.author_id == actor.id
        )
    )
    if exists is not None:
        raise Conflict(gettext("You have already given feedback on this meeting."))
    feedback = MeetingFeedback(
        meeting_id=meeting.id,
        author_id=actor.id,
        side=side,
        rating=rating,
        note=note,
        outcome=Outcome(outcome),
        amount_rub=amount_rub if outcome == Outcome.investment else None,
    )
    session.add(feedback)
    if meeting.status == MeetingStatus.scheduled:
        transition(session, meeting, MeetingStatus.completed, actor=actor)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.feedback",
        entity_type="meeting",
        entity_id=meeting.id,
        data={"rating": rating, "outcome": outcome},
    )
    return feedback


def record_no_show(session: Session, *, actor: User, meeting_id: int, party: str) -> Meeting:
    """The other side or staff records who did not come, once the meeting has started."""
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id, lock=True)
    if not policies.can_record_no_show(session, actor, meeting, party, check_state=False):
        raise Forbidden(gettext("The other side or staff records a no-show."))
    if not policies.has_begun(meeting):
        raise Conflict(gettext("A no-show can be recorded only after the meeting began."))
    transition(session, meeting, MeetingStatus.completed, actor=actor, no_show=party)
    meeting.no_show = party
    session.flush()
    return meeting


def remind_upcoming_meetings(session: Session, now: datetime) -> int:
    """Both sides of a scheduled meeting hear about it once, 24 hours before it starts; the key
    carries the meeting's sequence, so a rescheduled meeting is announced again."""
    meetings = session.scalars(
        select(Meeting).where(
            Meeting.status == MeetingStatus.scheduled,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(hours=24),
        )
    ).all()
    queued = 0
    for meeting in meetings:
        context = notices.event_context(session, meeting, "upcoming", starts_at=meeting.starts_at)
        organisation_people = people_of(session, meeting.organisation_id)
        investor = session.get(User, meeting.investor_id)
        prefix = f"meetings.meeting.{meeting.id}.{meeting.sequence}.upcoming."
        already = set(
            session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.startswith(prefix)
                )
            )
        )
        for person in [*([investor] if investor else []), *organisation_people]:
            key = f"{prefix}{person.id}"
            if key in already:
                continue
            notices.tell(session, person, key=key, context=context, link="/meetings")
            queued += 1
    return queued
