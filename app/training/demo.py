"""Demo data of training: the investor-readiness course on presenting a business plan.

Two upcoming sessions (the first is full and has a waitlist, the demo founder takes the second)
and one past session that the demo founder attended, so that the founder holds the certificate
investor meetings ask for. Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.training import certificates, service
from app.training.models import (
    CompletionRule,
    Course,
    Enrolment,
    EnrolmentStatus,
    TrainingSession,
)

TITLE = "Как представить привлекательный бизнес-план"
DESCRIPTION = (
    "Структура бизнес-плана, финансовая модель, оценка рынка и питч для инвестора: одна "
    "вечерняя сессия с разбором ваших материалов. Курс открывает запись на встречи с "
    "инвесторами."
)
TRANSLATIONS = {
    "en": {
        "title": "How to present an attractive business plan",
        "description": "Plan structure, financial model, market sizing and the investor pitch "
        "in one evening with a review of your materials. Completing it opens meetings with "
        "investors.",
    }
}


def _evening(days_ahead: int) -> datetime:
    day = (utcnow() + timedelta(days=days_ahead)).date()
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)  # 18:00 in Moscow


def load(session: Session, world: Any) -> None:
    staff = world.users["staff"]
    course = session.scalar(select(Course).where(Course.title == TITLE))
    if course is None:
        course = service.create_course(
            session,
            actor=staff,
            values={
                "title": TITLE,
                "description": DESCRIPTION,
                "language": "ru",
                "members_only": False,
                "investor_readiness": True,
                "completion_rule": CompletionRule.at_least,
                "min_sessions": 1,
                "translations": TRANSLATIONS,
            },
        )
    sessions = session.scalars(
        select(TrainingSession).where(TrainingSession.course_id == course.id)
    ).all()
    if not any(s.starts_at <= utcnow() for s in sessions):
        # A past run, inserted directly: the service refuses sessions in the past by design.
        past = TrainingSession(
            course_id=course.id,
            starts_at=_evening(-30),
            ends_at=_evening(-30) + timedelta(hours=3),
            capacity=15,
            location="Технопарк, зал 2",
        )
        session.add(past)
        session.flush()
        founder = world.users["founder"]
        session.add(
            Enrolment(
                session_id=past.id,
                user_id=founder.id,
                enrolled_by_id=founder.id,
                status=EnrolmentStatus.enrolled,
                seat_number=1,
            )
        )
        session.flush()
        certificates.mark_attendance(
            session, actor=staff, session_id=past.id, user_id=founder.id, attended=True
        )
    upcoming = [s for s in sessions if s.starts_at > utcnow()]
    if len(upcoming) >= 2:
        return
    full = service.create_session(
        session,
        actor=staff,
        course_id=course.id,
        values={
            "starts_at": _evening(7),
            "ends_at": _evening(7) + timedelta(hours=3),
            "capacity": 3,
            "location": "Технопарк, зал 2",
        },
    )
    # Three seats for three people, and a fourth on the waitlist.
    for key in ("founder_en", "partner", "applicant", "reviewer2"):
        service.enrol(session, actor=world.users[key], session_id=full.id)
    later = service.create_session(
        session,
        actor=staff,
        course_id=course.id,
        values={
            "starts_at": _evening(21),
            "ends_at": _evening(21) + timedelta(hours=3),
            "capacity": 20,
            "online_url": "https://meet.example.org/business-plan",
        },
    )
    service.enrol(session, actor=world.users["founder"], session_id=later.id)
