"""Membership's parts of the workspace: the applicant's application and what it lacks, the
committee member's declarations and reviews, the chair's decisions and disagreements, and the
staff's applications waiting for reviewers. Each is read with one or two statements."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, FunctionFilter, func, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Organisation, OrganisationMember, User
from app.accounts.workspace import Step, StepState, WorkItem, single_or_list
from app.i18n import N_, gettext
from app.membership.models import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    Assignment,
    Attachment,
    Bid,
    Review,
    RubricVersion,
    criteria_weights,
)
from app.membership.policies import can_start_application
from app.membership.queries import counted_review, counting_assignment, is_member, open_review
from app.membership.reviews import HIGH_DISAGREEMENT, review_settings, weighted_score

SHOWN_APPLICATIONS = 3
STEPS = (N_("Draft"), N_("Submitted"), N_("Review"), N_("Decision"))
# The step each open status stands at (changes requested: back to the draft).
_STEP_OF = {
    ApplicationStatus.draft: 0,
    ApplicationStatus.changes_requested: 0,
    ApplicationStatus.submitted: 1,
    ApplicationStatus.under_review: 2,
    ApplicationStatus.response_requested: 2,
}


def _steps(status: ApplicationStatus) -> tuple[Step, ...]:
    at = _STEP_OF.get(status, len(STEPS))
    return tuple(
        Step(
            gettext(label),
            StepState.done if n < at else StepState.current if n == at else StepState.todo,
        )
        for n, label in enumerate(STEPS)
    )


def _missing(status: ApplicationStatus, documents: int, reason: str | None) -> tuple[str, ...]:
    notes = []
    if status == ApplicationStatus.changes_requested:
        notes.append(gettext("The committee asked for changes: %(reason)s", reason=reason or "—"))
    if status == ApplicationStatus.response_requested:
        notes.append(gettext("The committee asked you questions: answer them on the page."))
    if status in EDITABLE_STATUSES and documents == 0:
        notes.append(gettext("No document uploaded yet."))
    if status in EDITABLE_STATUSES:
        notes.append(gettext("Submit the application when it is complete."))
    return tuple(notes)


def applicant_items(session: Session, user: User) -> list[WorkItem]:
    """The user's applications in progress, newest first, each with its steps and gaps."""
    own = select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
    documents = (
        select(func.count(Attachment.id))
        .where(Attachment.application_id == Application.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Application.id,
            Application.status,
            Application.decision_reason,
            Organisation.name,
            documents,
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(
            Application.status.in_(OPEN_STATUSES),
            (Application.applicant_id == user.id) | Application.organisation_id.in_(own),
        )
        .order_by(Application.id.desc())
        .limit(SHOWN_APPLICATIONS)
    ).all()
    return [
        WorkItem(
            gettext("Application of %(name)s: %(status)s", name=name, status=status.label),
            f"/applications/{application_id}",
            steps=_steps(status),
            notes=_missing(status, count or 0, reason),
        )
        for application_id, status, reason, name, count in rows
    ]


def _summary(
    condition: ColumnElement[bool],
) -> tuple[FunctionFilter[int], FunctionFilter[int], FunctionFilter[date | None]]:
    """The number of assignments meeting `condition`, one application of them, the earliest
    due date."""
    return (
        func.count(Assignment.id).filter(condition),
        func.min(Assignment.application_id).filter(condition),
        func.min(Assignment.due_on).filter(condition),
    )


def committee_items(session: Session, user: User) -> list[WorkItem]:
    """Declarations to make and reviews to write in the current round, with the earliest due
    date; one of them opens its application, several the reviewer's queue."""
    to_declare = counting_assignment() & Assignment.declared_at.is_(None)
    to_review = open_review() & Assignment.declared_at.is_not(None)
    row = session.execute(
        select(*_summary(to_declare), *_summary(to_review))
        .join(Application, Application.id == Assignment.application_id)
        .where(
            Assignment.reviewer_id == user.id,
            Application.status == ApplicationStatus.under_review,
        )
    ).one()
    items = []
    for (count, one, due), label, queue in (
        (row[0:3], N_("Declarations of interest to make"), "to_declare"),
        (row[3:6], N_("Reviews to write"), "to_review"),
    ):
        if count:
            href = single_or_list(
                count, one, "/applications/{id}#committee-title", f"/applications?queue={queue}"
            )
            items.append(WorkItem(gettext(label), href, count=count, due=due))
    return items + _bidding_items(session, user)


def _bidding_items(session: Session, user: User) -> list[WorkItem]:
    """Applications open for bids that the member has not bid on (leaving out their own
    organisations'); one statement. The bids page leads to the member's expertise."""
    own = select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
    assigned = (
        select(Assignment.id)
        .where(
            Assignment.application_id == Application.id,
            Assignment.round == Application.review_round,
        )
        .exists()
    )
    bid = (
        select(Bid.id)
        .where(Bid.application_id == Application.id, Bid.reviewer_id == user.id)
        .exists()
    )
    unbid = select(func.count(Application.id)).where(
        Application.status == ApplicationStatus.submitted,
        ~assigned,
        ~bid,
        Application.organisation_id.not_in(own),
    )
    count = session.scalar(unbid)
    if not count:
        return []
    return [WorkItem(gettext("Applications open for your bid"), "/committee/bids", count=count)]


def chair_items(session: Session, user: User) -> list[WorkItem]:
    """Applications under review whose counted reviews reach the quorum, those whose
    reviewers disagree (the weighted scores spread as far as the application page flags), and
    those waiting for the applicant's answer to the chair's questions."""
    # The review read under another name: `counted_review` asks of `Review` in a subquery.
    review = aliased(Review)
    scores = session.execute(
        select(Assignment.application_id, review.scores, RubricVersion.criteria)
        .join(review, review.assignment_id == Assignment.id)
        .join(RubricVersion, RubricVersion.id == review.rubric_version_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.status == ApplicationStatus.under_review, counted_review())
        .order_by(Assignment.application_id)
    ).all()
    weighted: dict[int, list[float]] = {}
    for application_id, review_scores, criteria in scores:
        weighted.setdefault(application_id, []).append(
            weighted_score(review_scores, criteria_weights(criteria))
        )
    quorum = review_settings().quorum
    ready = [a for a, values in weighted.items() if len(values) >= quorum]
    split = [
        a
        for a, values in weighted.items()
        if len(values) > 1 and max(values) - min(values) >= HIGH_DISAGREEMENT
    ]
    items = []
    for ids, label in (
        (ready, N_("Applications ready to decide")),
        (split, N_("Reviews that disagree")),
    ):
        if ids:
            href = single_or_list(
                len(ids), ids[0], "/applications/{id}", "/applications?status=under_review"
            )
            items.append(WorkItem(gettext(label), href, count=len(ids)))
    return items + _waiting_items(session)


def _waiting_items(session: Session) -> list[WorkItem]:
    """Applications waiting for the applicant's answer to the chair's questions."""
    count, first = session.execute(
        select(func.count(Application.id), func.min(Application.id)).where(
            Application.status == ApplicationStatus.response_requested
        )
    ).one()
    if not count:
        return []
    href = single_or_list(
        count, first, "/applications/{id}", "/applications?status=response_requested"
    )
    return [WorkItem(gettext("Waiting for the applicant's answer"), href, count=count)]


def staff_items(session: Session, user: User) -> list[WorkItem]:
    """Submitted applications waiting for staff to assign reviewers."""
    count, first = session.execute(
        select(func.count(Application.id), func.min(Application.id)).where(
            Application.status == ApplicationStatus.submitted
        )
    ).one()
    if not count:
        return []
    href = single_or_list(count, first, "/applications/{id}", "/applications?status=submitted")
    return [WorkItem(gettext("Applications to assign reviewers to"), href, count=count)]


def first_application(session: Session, user: User) -> list[WorkItem]:
    """A newcomer whose organisation is registered applies for membership next."""
    if not can_start_application(session, user) or is_member(session, user):
        return []
    return [WorkItem(gettext("Apply for membership"), "/applications/new")]
