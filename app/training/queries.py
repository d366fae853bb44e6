"""What other domains ask about training; ask here and nowhere else."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.personal_data import register_exporter
from app.i18n import gettext
from app.training.models import Certificate, Course, Enrolment, TrainingSession
from app.verification import VerifiedRecord, register_resolver


def investor_readiness_required(session: Session) -> bool:
    """Investor meetings require the course once staff have flagged one as investor readiness."""
    return (
        session.scalar(select(Course.id).where(Course.investor_readiness.is_(True)).limit(1))
        is not None
    )


def has_completed_investor_readiness(session: Session, user: User) -> bool:
    """True once the user holds a certificate of a course flagged "investor readiness"."""
    return (
        session.scalar(
            select(Certificate.id)
            .join(Course, Course.id == Certificate.course_id)
            .where(Certificate.user_id == user.id, Course.investor_readiness.is_(True))
            .limit(1)
        )
        is not None
    )


@register_resolver("training")
def resolve_certificate(session: Session, code: str) -> VerifiedRecord | None:
    """`/verify/{code}` for training certificates: the holder's name, the course, the date."""
    certificate = session.scalar(select(Certificate).where(Certificate.verify_code == code[:40]))
    if certificate is None:
        return None
    return VerifiedRecord(
        kind=gettext("Training certificate"),
        holder=certificate.user.full_name,
        number=certificate.number,
        status="valid",
        status_label=gettext("Valid"),
        valid_from=certificate.issued_at.date(),
        details=[(gettext("Course"), certificate.course.title)],
    )


@register_exporter("training")
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
            {"number": c.number, "course_id": c.course_id, "issued_at": c.issued_at.isoformat()}
            for c in certificates
        ],
        "calendar_feed_enabled": user.calendar_token_hash is not None,
    }
