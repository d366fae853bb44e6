"""Training's parts of the workspace: the member's upcoming sessions, and the staff's sessions
with people on their waitlists."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.workspace import WorkItem, single_or_list
from app.db import utcnow
from app.i18n import gettext
from app.training.models import Enrolment, EnrolmentStatus, TrainingSession


def upcoming_sessions(session: Session, user: User) -> list[WorkItem]:
    """Sessions ahead where the user has a seat or a waitlist place; when the next begins."""
    count, first = session.execute(
        select(func.count(Enrolment.id), func.min(TrainingSession.starts_at))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.status.in_((EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted)),
            TrainingSession.starts_at > utcnow(),
        )
    ).one()
    if not count:
        return [WorkItem(gettext("Find a training session"), "/sessions")]
    label = gettext("Your upcoming training sessions")
    return [WorkItem(label, "/trainings/mine", count=count, next=first)]


def sessions_with_waitlists(session: Session, user: User) -> list[WorkItem]:
    """Sessions ahead with people waiting for a seat; the nearest one's start."""
    waiting = (
        select(Enrolment.session_id)
        .where(Enrolment.status == EnrolmentStatus.waitlisted)
        .distinct()
        .subquery()
    )
    count, first, nearest = session.execute(
        select(
            func.count(TrainingSession.id),
            func.min(TrainingSession.id),
            func.min(TrainingSession.starts_at),
        )
        .join(waiting, waiting.c.session_id == TrainingSession.id)
        .where(TrainingSession.starts_at > utcnow())
    ).one()
    if not count:
        return []
    href = single_or_list(count, first, "/sessions/{id}", "/sessions")
    return [WorkItem(gettext("Training sessions with a waitlist"), href, count=count, next=nearest)]
