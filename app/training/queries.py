"""What other domains ask about training; ask here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, select, true
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.bilingual import Localized, localized
from app.db import utcnow
from app.formatting import format_date
from app.i18n import gettext
from app.training.models import (
    Certificate,
    Course,
    Enrolment,
    EnrolmentStatus,
    TrainingSession,
)
from app.verification import VerifiedRecord


def investor_readiness_required(session: Session) -> bool:
    """Investor meetings require the course once staff have flagged one as investor readiness."""
    return (
        session.scalar(select(Course.id).where(Course.investor_readiness.is_(True)).limit(1))
        is not None
    )


def valid_certificate() -> ColumnElement[bool]:
    """A certificate that proves its course: not revoked."""
    return Certificate.revoked_at.is_(None)


def has_completed_investor_readiness(session: Session, user: User) -> bool:
    """True while the user holds a valid certificate of a course flagged "investor readiness"."""
    return (
        session.scalar(
            select(Certificate.id)
            .join(Course, Course.id == Certificate.course_id)
            .where(
                Certificate.user_id == user.id,
                Course.investor_readiness.is_(True),
                valid_certificate(),
            )
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class ReadinessSession:
    """A coming session of an investor-readiness course, as a link to it."""

    session_id: int
    course_title: Localized
    starts_at: datetime
    enrolled: bool  # the user already holds a seat or a waitlist place in it


@dataclass(frozen=True)
class InvestorReadiness:
    required: bool  # staff flagged a course as investor readiness
    completed: bool  # the user holds a valid certificate of such a course
    next_session: ReadinessSession | None  # the coming one they are enrolled in, else the next

    @property
    def ready(self) -> bool:
        """Once staff flag a course as investor readiness, completing it is required."""
        return not self.required or self.completed


def investor_readiness(session: Session, user: User) -> InvestorReadiness:
    """Where the user stands with investor readiness, in one statement (the investors page asks
    on every visit)."""
    flagged = Course.investor_readiness.is_(True)
    required = select(Course.id).where(flagged).exists()
    completed = (
        select(Certificate.id)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.user_id == user.id, flagged, valid_certificate())
        .exists()
    )
    enrolled = Enrolment.id.is_not(None)
    coming = (
        select(
            TrainingSession.id.label("session_id"),
            Course.title.label("title"),
            Course.language.label("language"),
            Course.translations.label("translations"),
            TrainingSession.starts_at.label("starts_at"),
            enrolled.label("enrolled"),
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .outerjoin(
            Enrolment,
            and_(
                Enrolment.session_id == TrainingSession.id,
                Enrolment.user_id == user.id,
                Enrolment.status != EnrolmentStatus.cancelled,
            ),
        )
        .where(flagged, TrainingSession.starts_at > utcnow())
        .order_by(enrolled.desc(), TrainingSession.starts_at, TrainingSession.id)
        .limit(1)
        .subquery()
    )
    anchor = select(literal(1).label("one")).subquery()
    row = session.execute(
        select(required.label("required"), completed.label("completed"), coming).select_from(
            anchor.outerjoin(coming, true())
        )
    ).one()
    next_session = None
    if row.session_id is not None:
        next_session = ReadinessSession(
            row.session_id, localized(row, "title"), row.starts_at, bool(row.enrolled)
        )
    return InvestorReadiness(bool(row.required), bool(row.completed), next_session)


def resolve_certificate(session: Session, code: str) -> VerifiedRecord | None:
    """`/verify/{code}` for training certificates: the holder's name, the course, the date, and
    whether it was revoked (and when)."""
    certificate = session.scalar(select(Certificate).where(Certificate.verify_code == code[:40]))
    if certificate is None:
        return None
    if certificate.revoked_at is not None:
        status = "revoked"
        label = gettext("Revoked on %(date)s", date=format_date(certificate.revoked_at))
    else:
        status, label = "valid", gettext("Valid")
    return VerifiedRecord(
        kind=gettext("Training certificate"),
        holder=certificate.user.full_name,
        number=certificate.number,
        status=status,
        status_label=label,
        valid_from=certificate.issued_at.date(),
        details=[(gettext("Course"), localized(certificate.course, "title").text)],
    )


def export_training(session: Session, user: User) -> dict[str, Any]:
    enrolments = session.execute(
        select(Enrolment, TrainingSession, Course)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Enrolment.user_id == user.id)
        .order_by(Enrolment.id)
    ).all()
    certificates = session.scalars(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)
    ).all()
    return {
        "enrolments": [
            {
                "course": course.title,
                "session_id": ts.id,
                "starts_at": ts.starts_at.isoformat(),
                "status": e.status.value,
                "attended": e.attended,
                "created_at": e.created_at.isoformat(),
            }
            for e, ts, course in enrolments
        ],
        "certificates": [
            {
                "number": c.number,
                "course_id": c.course_id,
                "issued_at": c.issued_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in certificates
        ],
        "calendar_feed_enabled": user.calendar_token_hash is not None,
    }
