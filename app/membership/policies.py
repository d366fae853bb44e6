"""Who may see or act on membership applications. A record the user may not see is a 404.

The rules read an application through the small protocols below, so that they hold alike for a
loaded `Application` and for the cards that lists read without ORM entities (`service.Card`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.policies import is_organisation_member, is_organisation_owner

OVERSEERS = (Role.chair, Role.staff, Role.admin)


class Scored(Protocol):
    """A submitted review."""

    @property
    def scores(self) -> dict[str, int]: ...


class ReviewerSlot(Protocol):
    """What the rules read of an assignment."""

    @property
    def reviewer_id(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def conflict(self) -> bool | None: ...
    @property
    def review(self) -> Scored | None: ...


SlotT = TypeVar("SlotT", bound=ReviewerSlot)
SlotT_co = TypeVar("SlotT_co", bound=ReviewerSlot, covariant=True)


class Reviewable(Protocol[SlotT_co]):
    """What the rules read of an application."""

    @property
    def organisation_id(self) -> int: ...
    @property
    def applicant_id(self) -> int | None: ...
    @property
    def review_round(self) -> int: ...
    @property
    def assignments(self) -> Sequence[SlotT_co]: ...


def is_overseer(user: User) -> bool:
    """Chair, staff and admins see every application and every review."""
    return user.has_role(*OVERSEERS)


def assignment_of(application: Reviewable[SlotT], user: User) -> SlotT | None:
    """The user's assignment in the application's current review round."""
    for assignment in application.assignments:
        if assignment.reviewer_id == user.id and assignment.round == application.review_round:
            return assignment
    return None


def any_assignment_of(application: Reviewable[SlotT], user: User) -> SlotT | None:
    for assignment in application.assignments:
        if assignment.reviewer_id == user.id:
            return assignment
    return None


def is_applicant(session: Session, user: User, application: Reviewable[Any]) -> bool:
    return application.applicant_id == user.id or is_organisation_owner(
        session, user, application.organisation_id
    )


def can_view_application(session: Session, user: User, application: Reviewable[Any]) -> bool:
    if is_overseer(user) or any_assignment_of(application, user) is not None:
        return True
    return is_applicant(session, user, application)


def sees_review_work(session: Session, user: User, application: Reviewable[Any]) -> bool:
    """Only the committee side sees assignments and aggregates; the applicant never does, even
    when they also hold a committee role."""
    if is_organisation_member(session, user, application.organisation_id):
        return False
    return is_overseer(user) or any_assignment_of(application, user) is not None


def is_recused(application: Reviewable[Any], user: User) -> bool:
    return any(a.reviewer_id == user.id and a.conflict for a in application.assignments)


def can_open_documents(session: Session, user: User, application: Reviewable[Any]) -> bool:
    """Reviewers open the documents only after declaring no conflict."""
    if is_applicant(session, user, application) or is_overseer(user):
        return True
    assignment = any_assignment_of(application, user)
    return (
        assignment is not None
        and assignment.conflict is False
        and not is_recused(application, user)
    )


def can_read_reviews(session: Session, user: User, application: Reviewable[Any]) -> bool:
    """Chair and staff always; a reviewer only once their own review of this round is in."""
    if is_organisation_member(session, user, application.organisation_id):
        return False
    if is_overseer(user):
        return True
    if is_recused(application, user):
        return False
    assignment = assignment_of(application, user)
    return assignment is not None and assignment.review is not None
