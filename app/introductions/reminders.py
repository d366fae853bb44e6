"""Scheduled reminders: pending requests get one reminder, then expire; accepted introductions
get a check-in at 3 and at 6 months. Each step happens once (a timestamp on the row and an
idempotency key on the email)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.introductions import kinds, service
from app.introductions.models import PENDING_STATES, Introduction, IntroductionStatus
from app.notifications.service import notify

REMIND_AFTER = timedelta(days=7)
EXPIRE_AFTER = timedelta(days=14)
CHECKINS = (
    (3, timedelta(days=91), "checkin_3m_sent_at"),
    (6, timedelta(days=182), "checkin_6m_sent_at"),
)


def remind_pending(session: Session, now: datetime) -> int:
    """A request unanswered for REMIND_AFTER days reminds whoever must act (staff while it is
    requested, the partner's contacts once forwarded); EXPIRE_AFTER days without an answer and
    after the reminder, it expires."""
    count = 0
    due = session.scalars(
        select(Introduction)
        .where(
            Introduction.status.in_(PENDING_STATES),
            Introduction.status_changed_at <= now - REMIND_AFTER,
        )
        .order_by(Introduction.id)
        .with_for_update()
    ).all()
    for introduction in due:
        if introduction.reminder_sent_at is None:
            status = IntroductionStatus(introduction.status)
            if status == IntroductionStatus.requested:
                recipients = service._staff(session)
                template = "introductions/reminder_staff"
            else:
                recipients = service.partner_contacts(session, introduction.partner_organisation_id)
                template = "introductions/reminder_partner"
            for recipient in recipients:
                notify(
                    session,
                    recipient=recipient,
                    kind=kinds.REMINDER,
                    template=template,
                    key=f"introduction:{introduction.id}:reminder:{status.value}:{recipient.id}",
                    context=service._email_context(introduction),
                    link=f"/introductions/{introduction.id}",
                )
            introduction.reminder_sent_at = now
            count += 1
        elif introduction.status_changed_at <= now - EXPIRE_AFTER:
            service.expire(session, introduction)
            count += 1
    session.flush()
    return count


def remind_checkins(session: Session, now: datetime) -> int:
    """Three and six months after acceptance, both sides are asked what came of it."""
    count = 0
    for months, after, column in CHECKINS:
        due = session.scalars(
            select(Introduction)
            .where(
                Introduction.status == IntroductionStatus.accepted,
                Introduction.accepted_at <= now - after,
                getattr(Introduction, column).is_(None),
            )
            .order_by(Introduction.id)
            .with_for_update()
        ).all()
        for introduction in due:
            for person in (introduction.requested_by, introduction.answered_by):
                if person is None:
                    continue
                notify(
                    session,
                    recipient=person,
                    kind=kinds.CHECKIN,
                    template="introductions/checkin",
                    key=f"introduction:{introduction.id}:checkin:{months}:{person.id}",
                    context={**service._email_context(introduction), "months": months},
                    link=f"/introductions/{introduction.id}",
                )
            setattr(introduction, column, now)
            count += 1
    session.flush()
    return count
