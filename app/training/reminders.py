"""A reminder 24 hours before each training session, once per enrolment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications.service import notify
from app.training.models import Enrolment, EnrolmentStatus, TrainingSession
from app.training.service import REMINDER, session_context

LEAD_TIME = timedelta(hours=24)


def remind_upcoming_sessions(session: Session, now: datetime) -> int:
    """Everyone holding a seat in a session that starts within the next 24 hours, not yet
    reminded, gets one reminder; `reminder_sent_at` and the idempotency key make it once."""
    rows = session.execute(
        select(Enrolment, TrainingSession)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(
            Enrolment.status == EnrolmentStatus.enrolled,
            Enrolment.reminder_sent_at.is_(None),
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + LEAD_TIME,
        )
        .order_by(Enrolment.id)
    ).all()
    for enrolment, training_session in rows:
        notify(
            session,
            recipient=enrolment.user,
            kind=REMINDER,
            template="training/reminder",
            key=f"training.reminder.{enrolment.id}.{training_session.starts_at.isoformat()}",
            context=session_context(training_session),
            link=f"/sessions/{training_session.id}",
        )
        enrolment.reminder_sent_at = now
    session.flush()
    return len(rows)
