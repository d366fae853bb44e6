"""Who pairs projects with mentors, who sees a mentorship and its sessions, and who logs them."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.policies import is_organisation_owner
from app.errors import Conflict, DomainError, FieldError, Forbidden, NotFound
from app.i18n import gettext
from app.mentoring.models import Mentorship, MentorshipStatus


def pairs_mentors(user: User | None) -> bool:
    """Cluster staff pair organisations with mentors."""
    return user is not None and user.is_staff


def pairing_refusal(user: User) -> DomainError | None:
    if pairs_mentors(user):
        return None
    return Forbidden(gettext("You do not have permission to do this."))


def is_mentor(user: User | None) -> bool:
    return user is not None and user.has_role(Role.mentor)


def mentor_refusal(candidate: User | None) -> DomainError | None:
    """The person paired must be an active account holding the role mentor (422)."""
    if candidate is None or not candidate.is_active or not is_mentor(candidate):
        return FieldError("mentor_id", gettext("Choose a person with the role of mentor."))
    return None


def can_view_mentorship(session: Session, user: User, mentorship: Mentorship) -> bool:
    """Staff, the mentor and the owner of the mentored organisation."""
    return (
        user.is_staff
        or mentorship.mentor_id == user.id
        or is_organisation_owner(session, user, mentorship.organisation_id)
    )


def session_refusal(
    session: Session, user: User, mentorship: Mentorship | None
) -> DomainError | None:
    """Only the mentor logs sessions (403; 404 to those who cannot see the mentorship), while
    the mentorship is active (409)."""
    if mentorship is None or not can_view_mentorship(session, user, mentorship):
        return NotFound(gettext("Mentorship not found."))
    if mentorship.mentor_id != user.id:
        return Forbidden(gettext("Only the mentor logs the sessions of a mentorship."))
    if mentorship.status != MentorshipStatus.active:
        return Conflict(gettext("This mentorship has ended."))
    return None


def can_log_session(session: Session, user: User, mentorship: Mentorship) -> bool:
    return session_refusal(session, user, mentorship) is None


def held_on_refusal(held_on: date, today: date) -> DomainError | None:
    if held_on > today:
        return FieldError("held_on", gettext("A session is logged once it has taken place."))
    return None


def has_mentorships_page(session: Session, user: User | None) -> bool:
    """The menu's link: staff, mentors and owners of a mentored organisation."""
    if user is None:
        return False
    if pairs_mentors(user) or is_mentor(user):
        return True
    from app.mentoring.service import owned_mentorship_ids

    return bool(owned_mentorship_ids(session, user))


def enforce(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal
