"""Scheduled membership mail: the renewal invitation 30 days before the expiry, and the overdue
reminder to a reviewer whose review is past its due date. Each is sent once: the idempotency
key names the membership and its expiry date, or the assignment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation
from app.membership.applications import RENEWAL_NOTICE_DAYS
from app.membership.kinds import RENEWAL, REVIEW_OVERDUE
from app.membership.models import Application, Assignment, Membership, MembershipStatus
from app.membership.queries import overdue_review
from app.membership.register import owners_of
from app.notifications.service import notify


def invite_renewals(session: Session, now: datetime) -> int:
    """Active memberships that expire within RENEWAL_NOTICE_DAYS: each owner is invited to
    renew once per expiry date."""
    today = now.date()
    due = session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.status == MembershipStatus.active,
            Membership.expires_on >= today,
            Membership.expires_on <= today + timedelta(days=RENEWAL_NOTICE_DAYS),
        )
        .order_by(Membership.id)
    ).all()
    count = 0
    for membership, organisation in due:
        for owner in owners_of(session, organisation.id):
            message = notify(
                session,
                recipient=owner,
                kind=RENEWAL,
                template="membership/renewal",
                key=f"membership.renewal:{membership.id}:{membership.expires_on}:{owner.id}",
                context={
                    "organisation_name": organisation.name,
                    "number": membership.number,
                    "expires_on": membership.expires_on,
                },
                link="/applications/new",
            )
            count += message is not None
    return count


def remind_overdue_reviews(session: Session, now: datetime) -> int:
    """Reviewers of the current round who have neither reviewed nor recused themselves by the
    due date are reminded once."""
    today = now.date()
    due = session.scalars(
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .where(overdue_review(today))
        .order_by(Assignment.id)
    ).all()
    count = 0
    for assignment in due:
        message = notify(
            session,
            recipient=assignment.reviewer,
            kind=REVIEW_OVERDUE,
            template="membership/review_overdue",
            key=f"membership.review_overdue:{assignment.id}",
            context={"due_on": assignment.due_on, "application_id": assignment.application_id},
            link=f"/applications/{assignment.application_id}",
        )
        count += message is not None
    return count
