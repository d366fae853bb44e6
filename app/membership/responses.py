"""The chair's questions to the applicant before the decision, and the applicant's one answer:
the application waits for it (`response_requested`) and goes back under review with it, so that
the reviewers may revise their reviews (each edit keeps the earlier text, see `reviews`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict
from app.i18n import gettext
from app.membership import policies
from app.membership.committee import affiliations_of
from app.membership.kinds import RESPONSE_RECEIVED, RESPONSE_REQUESTED
from app.membership.models import Application, ApplicationStatus, ResponseRequest, transition
from app.membership.queries import counts_toward_round
from app.membership.reading import get_application
from app.notifications.service import notify


def pending_request(application: Application) -> ResponseRequest | None:
    """The questions that wait for the applicant's answer."""
    return next((r for r in reversed(application.response_requests) if r.answer is None), None)


def request_response(
    session: Session, *, actor: User, application_id: int, questions: str
) -> Application:
    """A chair who may decide the application asks the applicant questions first
    (`policies.ask_refusal`); the applicant gets an email with them, naming nobody on the
    committee."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    policies.enforce(policies.ask_refusal(application, actor, affiliations_of(session, actor)))
    request = ResponseRequest(
        round=application.review_round, questions=questions, asked_by_id=actor.id
    )
    application.response_requests.append(request)
    session.flush()
    transition(
        session,
        application,
        ApplicationStatus.response_requested,
        actor=actor,
        data={"response_request_id": request.id},
    )
    applicant = session.get(User, application.applicant_id) if application.applicant_id else None
    if applicant is not None:
        notify(
            session,
            recipient=applicant,
            kind=RESPONSE_REQUESTED,
            template="membership/response_requested",
            key=f"membership.response_requested:{request.id}",
            context={"organisation_name": application.organisation.name, "questions": questions},
            link=f"/applications/{application.id}",
        )
    return application


def answer(session: Session, *, actor: User, application_id: int, text: str) -> Application:
    """The applicant answers the waiting questions once (`policies.answer_refusal`); the
    application goes back under review and the chair who asked and the reviewers of the round
    are told."""
    application = get_application(session, actor=actor, application_id=application_id, lock=True)
    policies.enforce(policies.answer_refusal(session, actor, application))
    request = pending_request(application)
    if request is None:
        raise Conflict(gettext("No questions are waiting for your answer."))
    request.answer = text
    request.answered_by_id = actor.id
    request.answered_at = utcnow()
    session.flush()
    transition(
        session,
        application,
        ApplicationStatus.under_review,
        actor=actor,
        data={"response_request_id": request.id},
    )
    recipients = {
        a.reviewer_id: a.reviewer
        for a in application.assignments
        if counts_toward_round(application, a)
    }
    if request.asked_by_id is not None:
        chair = session.get(User, request.asked_by_id)
        if chair is not None:
            recipients[chair.id] = chair
    for recipient in recipients.values():
        notify(
            session,
            recipient=recipient,
            kind=RESPONSE_RECEIVED,
            template="membership/response_received",
            key=f"membership.response_received:{request.id}:{recipient.id}",
            context={"organisation_name": application.organisation.name},
            link=f"/applications/{application.id}#response-title",
        )
    return application
