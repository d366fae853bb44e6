"""The named ideas of membership that other modules and domains ask about, each defined once:

- who is a member: a user is a member while an organisation they belong to has an active (or
  grace-period) membership;
- which review counts: a review of the application's current round by a reviewer who has not
  declared a conflict of interest. Only counted reviews make the quorum and the aggregates;
  an assignment of the current round without a conflict and still without a review is an open
  review (the reviewer's workload), and overdue once its due date has passed.

Each rule about reviews is given twice, for loaded objects and as SQL, side by side."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, event, select
from sqlalchemy.orm import Session

from app.accounts.models import OrganisationMember, User
from app.membership.models import (
    GRACE_PERIOD,
    Application,
    ApplicationStatus,
    Assignment,
    Membership,
    MembershipStatus,
    Review,
)
from app.membership.shapes import Reviewable, ReviewerSlot, Scored, Stateful

# --- Members ------------------------------------------------------------------------------------


def live_membership(today: date) -> ColumnElement[bool]:
    """A membership that is active or in its grace period on `today` (SQL)."""
    return (Membership.status == MembershipStatus.active) & (
        Membership.expires_on >= today - GRACE_PERIOD
    )


_MEMBER_ORGANISATIONS = "member_organisation_ids"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_soft_rollback")
def _forget_member_organisations(session: Session, *_args: object) -> None:
    session.info.pop(_MEMBER_ORGANISATIONS, None)


def member_organisation_ids(
    session: Session, user: User, *, today: date | None = None
) -> list[int]:
    """The user's organisations whose membership is active or in its grace period. Today's
    answer is kept on the session until its next flush or rollback, so that the menu, the
    workspace and a page's gate ask for it once."""
    if today is not None:
        return _member_organisation_ids(session, user, today)
    cache: dict[int, list[int]] = session.info.setdefault(_MEMBER_ORGANISATIONS, {})
    if user.id not in cache:
        cache[user.id] = _member_organisation_ids(session, user, date.today())
    return list(cache[user.id])


def _member_organisation_ids(session: Session, user: User, today: date) -> list[int]:
    return list(
        session.scalars(
            select(Membership.organisation_id)
            .join(
                OrganisationMember,
                OrganisationMember.organisation_id == Membership.organisation_id,
            )
            .where(OrganisationMember.user_id == user.id, live_membership(today))
            .order_by(Membership.organisation_id)
        )
    )


def is_member(session: Session, user: User, *, today: date | None = None) -> bool:
    return bool(member_organisation_ids(session, user, today=today))


def is_member_organisation(
    session: Session, organisation_id: int, *, today: date | None = None
) -> bool:
    today = today or date.today()
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.organisation_id == organisation_id, live_membership(today)
            )
        )
        is not None
    )


def membership_of(session: Session, organisation_id: int) -> Membership | None:
    """The organisation's membership in whatever state (an organisation has at most one)."""
    return session.scalar(select(Membership).where(Membership.organisation_id == organisation_id))


# --- Counted reviews ----------------------------------------------------------------------------
# A reviewer writes a review only after declaring no conflict, so "has not declared a conflict"
# and "declared no conflict" agree on every review; the first also takes in the reviewers who
# have yet to declare, whose reviews are still open.


def counts_toward_round(application: Reviewable[Any], assignment: ReviewerSlot) -> bool:
    """The assignment belongs to the current review round and its reviewer is not recused."""
    return assignment.round == application.review_round and assignment.conflict is not True


def is_counted(application: Reviewable[Any], assignment: ReviewerSlot) -> bool:
    return counts_toward_round(application, assignment) and assignment.review is not None


def counted_reviews(application: Reviewable[Any]) -> list[Scored]:
    """The reviews that count towards the decision."""
    return [
        a.review
        for a in application.assignments
        if a.review is not None and is_counted(application, a)
    ]


def is_open_review(application: Reviewable[Any], assignment: ReviewerSlot) -> bool:
    return counts_toward_round(application, assignment) and assignment.review is None


def is_overdue(application: Stateful[Any], assignment: ReviewerSlot, today: date) -> bool:
    """An open review of an application under review whose due date has passed."""
    return (
        application.status == ApplicationStatus.under_review
        and is_open_review(application, assignment)
        and assignment.due_on is not None
        and assignment.due_on < today
    )


def counting_assignment(application: Any = Application) -> ColumnElement[bool]:
    """`counts_toward_round` in SQL, for a statement that joins `Assignment` to `application`
    (the `Application` entity or an alias of it)."""
    same_round: ColumnElement[bool] = Assignment.round == application.review_round
    return same_round & Assignment.conflict.is_not(True)


def _reviewed() -> ColumnElement[bool]:
    return select(Review.id).where(Review.assignment_id == Assignment.id).exists()


def counted_review(application: Any = Application) -> ColumnElement[bool]:
    """`is_counted` in SQL: the assignment's review counts."""
    return counting_assignment(application) & _reviewed()


def open_review(application: Any = Application) -> ColumnElement[bool]:
    """`is_open_review` in SQL."""
    return counting_assignment(application) & ~_reviewed()


def overdue_review(today: date, application: Any = Application) -> ColumnElement[bool]:
    """`is_overdue` in SQL."""
    under_review: ColumnElement[bool] = application.status == ApplicationStatus.under_review
    return under_review & open_review(application) & (Assignment.due_on < today)
