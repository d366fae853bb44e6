"""Meetings' parts of the workspace: the investor's requests, meetings and feedback; the
member's meetings, sent requests and recommended investors; the staff's pitch days in
preparation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.workspace import WorkItem, single_or_list
from app.db import utcnow
from app.i18n import gettext
from app.meetings import investors, people
from app.meetings.models import (
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingStatus,
    PitchDay,
    RequestStatus,
)

RECOMMENDED = 3


def _given_feedback(user: User) -> ColumnElement[bool]:
    return (
        select(MeetingFeedback.id)
        .where(MeetingFeedback.meeting_id == Meeting.id, MeetingFeedback.author_id == user.id)
        .exists()
    )


def _meeting_items(
    session: Session,
    user: User,
    mine: ColumnElement[bool],
    waiting: ColumnElement[bool] | None = None,
) -> list[WorkItem]:
    """Upcoming meetings (the next one's time) and meetings that took place without the user's
    feedback, among the meetings `mine` selects; with `waiting`, the number of requests it
    selects that wait for the investor's answer, read in the same statement."""
    now = utcnow()
    upcoming = (Meeting.status == MeetingStatus.scheduled) & (Meeting.starts_at > now)
    owed = (
        (Meeting.status != MeetingStatus.cancelled)
        & (Meeting.starts_at <= now)
        & ~_given_feedback(user)
    )
    requests = (
        select(func.count(MeetingRequest.id))
        .where(waiting if waiting is not None else false())
        .scalar_subquery()
    )
    row = session.execute(
        select(
            func.count(Meeting.id).filter(upcoming),
            func.min(Meeting.id).filter(upcoming),
            func.min(Meeting.starts_at).filter(upcoming),
            func.count(Meeting.id).filter(owed),
            func.min(Meeting.id).filter(owed),
            requests,
        ).where(mine)
    ).one()
    items = []
    if row[0]:
        href = single_or_list(row[0], row[1], "/meetings/{id}", "/meetings")
        items.append(WorkItem(gettext("Upcoming meetings"), href, count=row[0], next=row[2]))
    if row[3]:
        href = single_or_list(row[3], row[4], "/meetings/{id}", "/meetings")
        items.append(WorkItem(gettext("Feedback to give on meetings"), href, count=row[3]))
    if row[5]:
        label = gettext("Requests waiting for an investor")
        items.append(WorkItem(label, "/meetings", count=row[5]))
    return items


def investor_items(session: Session, user: User) -> list[WorkItem]:
    """Requests to answer (the first to expire), upcoming meetings, feedback owed."""
    count, expires = session.execute(
        select(func.count(MeetingRequest.id), func.min(MeetingRequest.expires_at)).where(
            MeetingRequest.investor_id == user.id,
            MeetingRequest.status == RequestStatus.requested,
        )
    ).one()
    items = []
    if count:
        items.append(
            WorkItem(
                gettext("Meeting requests to answer"), "/investor-inbox", count=count, due=expires
            )
        )
    return items + _meeting_items(session, user, Meeting.investor_id == user.id)


def member_items(session: Session, user: User) -> list[WorkItem]:
    """The organisations' upcoming meetings and feedback owed, their requests waiting for an
    answer, and the investors that suit the organisation best."""
    organisations = people.organisation_ids_of(user)
    waiting = MeetingRequest.organisation_id.in_(organisations) & (
        MeetingRequest.status == RequestStatus.requested
    )
    items = _meeting_items(session, user, Meeting.organisation_id.in_(organisations), waiting)
    ranked = investors.best_fits(session, actor=user, limit=RECOMMENDED)
    items.extend(
        WorkItem(
            gettext(
                "Recommended investor: %(name)s, %(organisation)s",
                name=card.user.full_name,
                organisation=card.organisation.name,
            ),
            f"/investors/{card.user.id}/request",
            notes=tuple(reasons),
        )
        for card, _fit, reasons in ranked
    )
    return items


def pitch_days_in_preparation(session: Session, user: User) -> list[WorkItem]:
    """Pitch days still to come and not yet published; the nearest one's date."""
    today = date.today()
    count, first, nearest = session.execute(
        select(func.count(PitchDay.id), func.min(PitchDay.id), func.min(PitchDay.date)).where(
            PitchDay.published_at.is_(None), PitchDay.date >= today
        )
    ).one()
    if not count:
        return []
    href = single_or_list(count, first, "/pitch-days/{id}", "/pitch-days")
    return [WorkItem(gettext("Pitch days in preparation"), href, count=count, next=nearest)]
