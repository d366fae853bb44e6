"""Attendance, completion and certificates of training.

A certificate is issued once per person and course when staff mark the attendance that meets
the course's completion rule; withdrawing an attendance that undoes the completion revokes it,
and completing again reinstates the same certificate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.accounts.models import User
from app.bilingual import localized_later
from app.db import is_postgresql, utcnow
from app.errors import NotFound
from app.i18n import N_, gettext
from app.notifications.kinds import register_kind
from app.notifications.service import notify
from app.training import policies
from app.training.models import (
    Certificate,
    CompletionRule,
    Course,
    Enrolment,
    EnrolmentStatus,
    TrainingSession,
)
from app.training.service import get_session

CERTIFICATE_ISSUED = register_kind(
    "training.certificate", N_("Training certificates"), essential=True
)
CERTIFICATE_REVOKED = register_kind(
    "training.certificate_revoked", N_("Revoked training certificates"), essential=True
)

_CERTIFICATE_LOCK_KEY = 0x74726365  # "trce"


class CertificateChange(StrEnum):
    issued = "issued"
    reinstated = "reinstated"
    revoked = "revoked"


@dataclass(frozen=True)
class AttendanceMarked:
    enrolment: Enrolment
    certificate: Certificate | None  # the person's certificate of the course, valid or revoked
    change: CertificateChange | None  # what marking the attendance did to it


def mark_attendance(
    session: Session, *, actor: User, session_id: int, user_id: int, attended: bool
) -> AttendanceMarked:
    """Staff mark an enrolled person as attended or no-show once the session has started (409
    before). When the course's completion rule is then met, a numbered certificate is issued
    (or a revoked one reinstated); when withdrawing an attendance undoes the completion, the
    certificate is revoked."""
    training_session = get_session(session, session_id)
    refusal = policies.attendance_refusal(actor, training_session, now=utcnow())
    if refusal is not None:
        raise refusal
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.session_id == session_id,
            Enrolment.user_id == user_id,
            Enrolment.status == EnrolmentStatus.enrolled,
        )
    )
    if enrolment is None:
        raise NotFound(gettext("This person is not enrolled in this session."))
    withdrawn = enrolment.attended is True and not attended
    enrolment.attended = attended
    enrolment.attendance_marked_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.attendance_marked",
        entity_type="training_enrolment",
        entity_id=enrolment.id,
        data={"attended": attended, "session_id": session_id, "user_id": user_id},
    )
    course = training_session.course
    certificate = certificate_of(session, course.id, user_id)
    change = None
    if has_completed(session, course, user_id):
        if certificate is None:
            certificate = issue_certificate(session, course=course, user_id=user_id, actor=actor)
            change = CertificateChange.issued
        elif certificate.is_revoked:
            reinstate_certificate(session, certificate, actor=actor)
            change = CertificateChange.reinstated
    elif withdrawn and certificate is not None and not certificate.is_revoked:
        revoke_certificate(session, certificate, actor=actor)
        change = CertificateChange.revoked
    return AttendanceMarked(enrolment, certificate, change)


def attended_count(session: Session, course_id: int, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Enrolment.id))
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .where(
                TrainingSession.course_id == course_id,
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.enrolled,
                Enrolment.attended.is_(True),
            )
        )
        or 0
    )


def has_completed(session: Session, course: Course, user_id: int) -> bool:
    """ "All sessions": attended every session of the course; "at least N": attended N of them."""
    attended = attended_count(session, course.id, user_id)
    if course.completion_rule == CompletionRule.at_least:
        return attended >= (course.min_sessions or 1)
    total = (
        session.scalar(
            select(func.count(TrainingSession.id)).where(TrainingSession.course_id == course.id)
        )
        or 0
    )
    return total > 0 and attended >= total


def certificate_of(session: Session, course_id: int, user_id: int) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.course_id == course_id, Certificate.user_id == user_id
        )
    )


def issue_certificate(
    session: Session, *, course: Course, user_id: int, actor: User | None
) -> Certificate:
    """Once per person and course; numbers run per year across courses (`BP-2026-0007` for the
    investor-readiness course, `TR-…` for others). Numbering is serialised by an advisory lock
    on PostgreSQL and by the write lock on SQLite."""
    existing = certificate_of(session, course.id, user_id)
    if existing is not None:
        return existing
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CERTIFICATE_LOCK_KEY})
    now = utcnow()
    sequence = (
        session.scalar(select(func.max(Certificate.sequence)).where(Certificate.year == now.year))
        or 0
    ) + 1
    prefix = "BP" if course.investor_readiness else "TR"
    certificate = Certificate(
        course_id=course.id,
        user_id=user_id,
        year=now.year,
        sequence=sequence,
        number=f"{prefix}-{now.year}-{sequence:04d}",
        verify_code=secrets.token_urlsafe(16),
        issued_at=now,
    )
    session.add(certificate)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="training.certificate_issued",
        entity_type="training_certificate",
        entity_id=certificate.id,
        data={"number": certificate.number, "course_id": course.id, "user_id": user_id},
    )
    recipient = session.get(User, user_id)
    if recipient is not None:
        notify(
            session,
            recipient=recipient,
            kind=CERTIFICATE_ISSUED,
            template="training/certificate",
            key=f"training.certificate.{certificate.id}",
            context={
                "course_title": localized_later(course, "title"),
                "number": certificate.number,
            },
            link=f"/verify/{certificate.verify_code}",
        )
    return certificate


def revoke_certificate(session: Session, certificate: Certificate, *, actor: User) -> None:
    """The certificate stays, marked revoked (when, by whom); `/verify` then says so."""
    now = utcnow()
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.certificate_revoked",
        entity_type="training_certificate",
        entity_id=certificate.id,
        data={"number": certificate.number},
    )
    notify(
        session,
        recipient=certificate.user,
        kind=CERTIFICATE_REVOKED,
        template="training/certificate_revoked",
        key=f"training.certificate_revoked.{certificate.id}.{now.isoformat()}",
        context={
            "course_title": localized_later(certificate.course, "title"),
            "number": certificate.number,
        },
        link=f"/certificates/{certificate.id}",
    )


def reinstate_certificate(session: Session, certificate: Certificate, *, actor: User) -> None:
    """The same number and verification code become valid again: what was printed or shared
    proves the completion once more, and no number is spent twice on one completion."""
    revoked_at = certificate.revoked_at.isoformat() if certificate.revoked_at else ""
    certificate.revoked_at = None
    certificate.revoked_by_id = None
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.certificate_reinstated",
        entity_type="training_certificate",
        entity_id=certificate.id,
        data={"number": certificate.number},
    )
    notify(
        session,
        recipient=certificate.user,
        kind=CERTIFICATE_ISSUED,
        template="training/certificate",
        key=f"training.certificate.{certificate.id}.reinstated.{revoked_at}",
        context={
            "course_title": localized_later(certificate.course, "title"),
            "number": certificate.number,
        },
        link=f"/verify/{certificate.verify_code}",
    )


def get_certificate(session: Session, *, user: User, certificate_id: int) -> Certificate:
    """A certificate for its holder and for staff; anyone else (and an absent one) gets 404."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or not policies.can_view_certificate(user, certificate):
        raise NotFound(gettext("Training certificate not found."))
    return certificate


def certificates_of_user(session: Session, user_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .options(joinedload(Certificate.course))
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at)
        )
    )
