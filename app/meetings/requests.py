"""Meeting requests: a member organisation asks an investor; the investor accepts into a slot or
declines, the organisation may withdraw, and an unanswered request expires."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import record
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, InvalidTransition, NotFound
from app.i18n import gettext
from app.meetings import busy, notices, people, policies
from app.meetings.availability import future_slot, open_slots, windows_of
from app.meetings.investors import get_investor
from app.meetings.models import (
    AvailabilityWindow,
    Meeting,
    MeetingRequest,
    RequestStatus,
    refusal,
    transition,
)
from app.meetings.statements import for_update, page


def request_expiry_days() -> int:
    """Days a request waits for the investor's answer (`PORTAL_MEETING_REQUEST_EXPIRY_DAYS`)."""
    return get_settings().meeting_request_expiry_days


def create_request(
    session: Session,
    *,
    actor: User,
    investor_id: int,
    message: str,
    organisation_id: int | None = None,
    starts_at: datetime | None = None,
) -> MeetingRequest:
    """Only members (and, if such a course exists, graduates of investor readiness) may ask a
    verified investor for a meeting; one open request per organisation and investor. A proposed
    slot is held for both sides until the request is decided, expires or is withdrawn."""
    refusal = policies.requesting_refusal(session, actor)
    if refusal is not None:
        raise refusal
    orgs = people.requesting_organisation_ids(session, actor)
    if not policies.is_ready_for_investors(session, actor):
        raise Forbidden(
            gettext("Complete the investor-readiness course before requesting a meeting.")
        )
    if organisation_id is None:
        if len(orgs) > 1:
            raise FieldError("organisation_id", gettext("Choose the organisation you represent."))
        organisation_id = orgs[0]
    elif organisation_id not in orgs:
        raise Forbidden(gettext("This organisation has no active membership of yours."))
    investor, _org = get_investor(session, investor_id)
    open_request = session.scalar(
        select(MeetingRequest.id).where(
            MeetingRequest.investor_id == investor_id,
            MeetingRequest.organisation_id == organisation_id,
            MeetingRequest.status == RequestStatus.requested,
        )
    )
    if open_request is not None:
        raise Conflict(gettext("Your organisation already has an open request to this investor."))
    slot = future_slot(session, investor_id, starts_at) if starts_at is not None else None
    request = MeetingRequest(
        investor_id=investor_id,
        organisation_id=organisation_id,
        requester_id=actor.id,
        message=message,
        starts_at=slot[0] if slot else None,
        ends_at=slot[1] if slot else None,
        expires_at=utcnow() + timedelta(days=request_expiry_days()),
    )
    session.add(request)
    session.flush()
    if slot is not None:
        busy.hold(session, investor_id, organisation_id, slot, request_id=request.id)
    record(
        session,
        actor_id=actor.id,
        action="meetings.request_created",
        entity_type="meeting_request",
        entity_id=request.id,
    )
    notices.tell(
        session,
        investor,
        key=f"meetings.request.{request.id}.created",
        context=notices.event_context(
            session, request, "requested", message=message, starts_at=request.starts_at
        ),
        link="/investor-inbox",
    )
    notices.confirm_request(session, request, actor)
    return request


def get_request(
    session: Session, *, actor: User, request_id: int, lock: bool = False
) -> MeetingRequest:
    """The request, if the caller may see it; else 404."""
    statement = select(MeetingRequest).where(MeetingRequest.id == request_id)
    request = session.scalar(for_update(session, statement) if lock else statement)
    if request is None or not policies.can_view_request(session, actor, request):
        raise NotFound(gettext("Meeting request not found."))
    return request


def _get_answerable(session: Session, actor: User, request_id: int) -> MeetingRequest:
    """The investor addressed, or staff; anyone else (the requester too) sees a 404."""
    request = get_request(session, actor=actor, request_id=request_id, lock=True)
    if not policies.can_answer_request(session, actor, request, check_state=False):
        raise NotFound(gettext("Meeting request not found."))
    if policies.is_expired(request):
        raise InvalidTransition(gettext("The request has expired."))
    if not policies.can_answer_request(session, actor, request):
        raise refusal(request)
    return request


def list_requests(
    session: Session, *, actor: User, sent_only: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[MeetingRequest], int]:
    """One page of the requests the caller may see (newest first) and their total; `sent_only`
    keeps the requests of the caller's organisations, not those addressed to the caller."""
    mine = MeetingRequest.organisation_id.in_(people.organisation_ids_of(actor))
    statement = select(MeetingRequest)
    if sent_only:
        statement = statement.where(mine, MeetingRequest.investor_id != actor.id)
    elif not actor.is_staff:
        statement = statement.where(
            MeetingRequest.id.in_(
                union(
                    select(MeetingRequest.id).where(MeetingRequest.investor_id == actor.id),
                    select(MeetingRequest.id).where(mine),
                )
            )
        )
    return page(session, statement, (MeetingRequest.id.desc(),), limit, offset)


def accept_request(
    session: Session,
    *,
    actor: User,
    request_id: int,
    starts_at: datetime | None = None,
    location: str | None = None,
    video_url: str | None = None,
) -> Meeting:
    """The investor (or staff) accepts into one of the investor's free slots, by default the one
    the request holds, and may say where it takes place; no double booking. The organisation's
    people are sent the calendar invitation."""
    request = _get_answerable(session, actor, request_id)
    if starts_at is None:
        if request.starts_at is None:
            raise FieldError("starts_at", gettext("Choose a slot."))
        starts_at = request.starts_at
    start, end = future_slot(session, request.investor_id, starts_at)
    busy.release_request(session, request)
    meeting = Meeting(
        uid=f"meeting-{uuid.uuid4()}@cluster-portal",
        request_id=request.id,
        investor_id=request.investor_id,
        organisation_id=request.organisation_id,
        starts_at=start,
        ends_at=end,
        location=location or None,
        video_url=video_url or None,
    )
    session.add(meeting)
    session.flush()
    busy.book(session, meeting)
    transition(session, request, RequestStatus.accepted, actor=actor, meeting_id=meeting.id)
    notices.tell_organisation(
        session,
        request.organisation_id,
        key=f"meetings.request.{request.id}.accepted",
        context=notices.meeting_context(session, meeting, "accepted"),
        link=f"/meetings/{meeting.id}",
        invite_to=meeting,
    )
    return meeting


def decline_request(
    session: Session, *, actor: User, request_id: int, reason: str
) -> MeetingRequest:
    """The investor (or staff) declines with a reason the requester sees."""
    request = _get_answerable(session, actor, request_id)
    # The reason stays on the request (free text has no place in the append-only log).
    transition(session, request, RequestStatus.declined, actor=actor)
    request.reason = reason
    busy.release_request(session, request)
    notices.tell_organisation(
        session,
        request.organisation_id,
        key=f"meetings.request.{request.id}.declined",
        context=notices.event_context(session, request, "declined", reason=reason),
        link="/meetings",
    )
    return request


def withdraw_request(session: Session, *, actor: User, request_id: int) -> MeetingRequest:
    """The requesting organisation takes back a pending request and frees the slot it holds."""
    request = get_request(session, actor=actor, request_id=request_id, lock=True)
    if not policies.can_withdraw_request(session, actor, request, check_state=False):
        raise Forbidden(gettext("Only the requesting organisation may withdraw its request."))
    if not policies.can_withdraw_request(session, actor, request):
        raise refusal(request)
    transition(session, request, RequestStatus.withdrawn, actor=actor)
    busy.release_request(session, request)
    notices.tell_investor(
        session,
        request.investor_id,
        key=f"meetings.request.{request.id}.withdrawn",
        context=notices.event_context(session, request, "withdrawn"),
    )
    return request


def expire_requests(session: Session, now: datetime) -> int:
    """Pending requests past their deadline expire; both sides are told."""
    due = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.requested, MeetingRequest.expires_at <= now
        )
    ).all()
    for request in due:
        transition(session, request, RequestStatus.expired, actor=None)
        busy.release_request(session, request)
        context = notices.event_context(session, request, "expired")
        notices.tell_organisation(
            session,
            request.organisation_id,
            key=f"meetings.request.{request.id}.expired",
            context=context,
            link="/meetings",
        )
        notices.tell_investor(
            session,
            request.investor_id,
            key=f"meetings.request.{request.id}.expired:investor",
            context=context,
        )
    session.flush()
    return len(due)


def remind_pending(session: Session, now: datetime) -> int:
    """One reminder to the investor when a pending request has two days left."""
    due = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.requested,
            MeetingRequest.reminded_at.is_(None),
            MeetingRequest.expires_at > now,
            MeetingRequest.expires_at <= now + timedelta(days=2),
        )
    ).all()
    for request in due:
        notices.tell_investor(
            session,
            request.investor_id,
            key=f"meetings.request.{request.id}.reminder",
            context=notices.event_context(
                session, request, "reminder", expires_at=request.expires_at
            ),
        )
        request.reminded_at = now
    session.flush()
    return len(due)


@dataclass
class Inbox:
    requests: list[MeetingRequest]  # open, addressed to the investor, newest first
    slots: list[tuple[datetime, datetime]]  # the investor's free slots
    windows: list[AvailabilityWindow]  # published and not ended (investors only)
    actions: policies.InboxActions


def investor_inbox(session: Session, *, actor: User) -> Inbox:
    """What an investor answers requests from: the open requests addressed to them, their free
    slots and, in a verified investor organisation, their published windows."""
    now = utcnow()
    requests = list(
        session.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.investor_id == actor.id,
                MeetingRequest.status == RequestStatus.requested,
            )
            .order_by(MeetingRequest.id.desc())
        )
    )
    actions = policies.inbox_actions(session, actor)
    windows = windows_of(session, actor.id, now)
    slots = open_slots([actor.id], windows, busy.busy_times(session, [actor.id], now), now, 500)
    return Inbox(requests, slots[actor.id], windows if actions.manage_availability else [], actions)
