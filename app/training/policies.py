"""Who may manage training, whom a user may enrol, when a place may be taken or given up,
when attendance may be marked, and who sees a certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import OrganisationMember, OrganisationRole, User
from app.errors import Conflict, DomainError, Forbidden
from app.i18n import gettext
from app.training.models import Certificate, Enrolment, EnrolmentStatus, TrainingSession


def can_manage_training(user: User | None) -> bool:
    return user is not None and user.is_staff


def management_refusal(user: User | None) -> DomainError | None:
    """Courses, sessions and attendance are managed by cluster staff (403 for anyone else)."""
    if can_manage_training(user):
        return None
    return Forbidden(gettext("You do not have permission to do this."))


def can_view_certificate(user: User, certificate: Certificate) -> bool:
    """The certificate page is for its holder and staff; the public verifies by code."""
    return certificate.user_id == user.id or user.is_staff


def sees_who_revoked(user: User | None, certificate: Certificate) -> bool:
    """Staff see who revoked a certificate; its holder sees only that it was."""
    return certificate.is_revoked and can_manage_training(user)


def has_started(training_session: TrainingSession, now: datetime) -> bool:
    return training_session.starts_at <= now


def enrolment_refusal(
    training_session: TrainingSession, enrolment: Enrolment | None, *, now: datetime
) -> DomainError | None:
    """Why a place in the session cannot be taken now (409), or None: enrolment closes when the
    session starts, and a person holds at most one seat or waitlist place in it."""
    if has_started(training_session, now):
        return Conflict(gettext("Enrolment is closed: the session has already started."))
    if enrolment is not None and enrolment.status == EnrolmentStatus.enrolled:
        return Conflict(gettext("Already enrolled in this session."))
    if enrolment is not None and enrolment.status == EnrolmentStatus.waitlisted:
        return Conflict(gettext("Already on the waitlist of this session."))
    return None


def cancellation_refusal(
    training_session: TrainingSession, enrolment: Enrolment, *, now: datetime
) -> DomainError | None:
    """A seat may be given up until the session starts (409 after); a waitlist place any time."""
    if enrolment.status == EnrolmentStatus.enrolled and has_started(training_session, now):
        return Conflict(gettext("The session has already started; the seat cannot be given up."))
    return None


def attendance_refusal(
    user: User | None, training_session: TrainingSession, *, now: datetime
) -> DomainError | None:
    """Staff (403) mark attendance once the session has started (409 before)."""
    refusal = management_refusal(user)
    if refusal is not None:
        return refusal
    if not has_started(training_session, now):
        return Conflict(gettext("Attendance can be marked once the session has started."))
    return None


def can_mark_attendance(
    user: User | None, training_session: TrainingSession, enrolment: Enrolment, *, now: datetime
) -> bool:
    """Attendance is marked for the people holding a seat."""
    return (
        enrolment.status == EnrolmentStatus.enrolled
        and attendance_refusal(user, training_session, now=now) is None
    )


@dataclass(frozen=True)
class SessionActions:
    """What the session page offers its viewer."""

    holds_seat: bool
    give_up_seat: bool
    on_waitlist: bool
    leave_waitlist: bool
    enrol: bool
    log_in_to_enrol: bool
    enrol_colleague: bool
    manage: bool


def session_actions(
    user: User | None,
    training_session: TrainingSession,
    mine: Enrolment | None,
    *,
    has_colleagues: bool,
    now: datetime,
) -> SessionActions:
    holds_seat = mine is not None and mine.status == EnrolmentStatus.enrolled
    on_waitlist = mine is not None and mine.status == EnrolmentStatus.waitlisted
    return SessionActions(
        holds_seat=holds_seat,
        give_up_seat=(
            mine is not None
            and holds_seat
            and cancellation_refusal(training_session, mine, now=now) is None
        ),
        on_waitlist=on_waitlist,
        leave_waitlist=on_waitlist,
        enrol=(
            user is not None
            and not holds_seat
            and not on_waitlist
            and enrolment_refusal(training_session, mine, now=now) is None
        ),
        log_in_to_enrol=user is None,
        enrol_colleague=has_colleagues and not has_started(training_session, now),
        manage=can_manage_training(user),
    )


def shared_owned_organisations(session: Session, owner: User, colleague_id: int) -> list[int]:
    """Organisations owned by `owner` that the colleague belongs to (lowest id first)."""
    owned = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == owner.id,
        OrganisationMember.role == OrganisationRole.owner,
    )
    return list(
        session.scalars(
            select(OrganisationMember.organisation_id)
            .where(
                OrganisationMember.user_id == colleague_id,
                OrganisationMember.organisation_id.in_(owned),
            )
            .order_by(OrganisationMember.organisation_id)
        )
    )


def can_enrol_colleague(session: Session, actor: User, colleague_id: int) -> bool:
    return bool(shared_owned_organisations(session, actor, colleague_id))


def enrollable_colleagues(session: Session, owner: User) -> list[User]:
    """People of the organisations `owner` owns, other than the owner, by name."""
    owned = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == owner.id,
        OrganisationMember.role == OrganisationRole.owner,
    )
    return list(
        session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(
                OrganisationMember.organisation_id.in_(owned),
                User.id != owner.id,
                User.is_active.is_(True),
            )
            .distinct()
            .order_by(User.full_name, User.id)
            .options(lazyload(User.role_rows))  # names only: their roles are not needed
        )
    )
