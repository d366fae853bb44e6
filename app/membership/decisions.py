"""The committee's decision on an application, and who may take it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.db import utcnow
from app.errors import Conflict, DomainError
from app.i18n import ngettext
from app.membership import policies
from app.membership.committee import affiliations_of, with_affiliations
from app.membership.kinds import DECISION
from app.membership.models import Application, ApplicationStatus, transition
from app.membership.policies import Affiliations
from app.membership.queries import counted_reviews
from app.membership.reading import get_application
from app.membership.register import grant_membership
from app.membership.reviews import review_settings
from app.notifications.service import notify


@dataclass(frozen=True)
class DecisionOutlook:
    """What the application page shows of the decision: why the viewer may not take it (None
    when they may), the chairs who may, and the viewer's organisations (`affiliations`)."""

    refusal: DomainError | None
    deciders: list[User]
    affiliations: Affiliations


def outlook(session: Session, application: Application, viewer: User) -> DecisionOutlook:
    """The decision as the viewer sees it, from one statement: every active chair with their
    organisations. Only a chair's organisations bear on the decision, and a chair viewing the
    page is among them."""
    chairs = with_affiliations(session, role=Role.chair)
    own = next((found for chair, found in chairs if chair.id == viewer.id), Affiliations())
    return DecisionOutlook(
        refusal=policies.decision_refusal(application, viewer, own),
        deciders=[
            chair
            for chair, affiliations in chairs
            if policies.decision_conflict(application, chair, affiliations) is None
        ],
        affiliations=own,
    )


def decide(
    session: Session,
    *,
    actor: User,
    application_id: int,
    decision: str,
    reason: str,
    reason_codes: Iterable[str] = (),
) -> Application:
    """The one place a committee decision happens: a chair without a conflict of interest
    (`policies.decision_refusal`), after the quorum of counted reviews, with a reason. The row
    lock makes concurrent decisions queue; the second finds the application decided and gets
    409. Approval grants the membership; the applicant gets a letter of each decision in their
    language."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    policies.enforce(policies.decision_refusal(application, actor, affiliations_of(session, actor)))
    quorum = review_settings().quorum
    if len(counted_reviews(application)) < quorum:
        raise Conflict(
            ngettext(
                "The decision needs %(num)s review without a conflict of interest.",
                "The decision needs %(num)s reviews without a conflict of interest.",
                quorum,
            )
        )
    target = ApplicationStatus(decision)
    event = transition(
        session,
        application,
        target,
        actor=actor,
        data={"reason": reason, "reason_codes": list(reason_codes)},
    )
    application.decision_reason = reason
    application.decision_codes = list(reason_codes)
    application.decided_by_id = actor.id
    application.decided_at = utcnow()
    membership = None
    if target == ApplicationStatus.approved:
        membership = grant_membership(session, actor=actor, application=application)
    session.flush()
    applicant = session.get(User, application.applicant_id) if application.applicant_id else None
    if applicant is not None:
        notify(
            session,
            recipient=applicant,
            kind=DECISION,
            template="membership/decision",
            # One letter per decision: a round may end in more than one (an appeal, or a
            # decision after a resubmission), and each is news to the applicant.
            key=f"membership.decision:{application.id}:{event.id}",
            context={
                "organisation_name": application.organisation.name,
                "decision": target.value,
                "reason": reason,
                "number": membership.number if membership else None,
                "expires_on": membership.expires_on if membership else None,
                "can_appeal": target == ApplicationStatus.rejected
                and application.appealed_at is None,
            },
            link=f"/applications/{application.id}",
        )
    return application
