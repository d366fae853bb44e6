"""Introductions' parts of the workspace: requests for staff to broker, forwarded requests for
a partner to answer, and the member's open requests."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.accounts.models import OrganisationMember, OrganisationRole, User
from app.accounts.workspace import WorkItem, single_or_list
from app.i18n import gettext
from app.introductions import policies
from app.introductions.models import Introduction, IntroductionStatus
from app.introductions.networking import suggestion_count


def _own_organisations(user: User) -> ColumnElement[bool]:
    return OrganisationMember.user_id == user.id


def _summary(session: Session, *conditions: ColumnElement[bool]) -> tuple[int, int | None]:
    count, first = session.execute(
        select(func.count(Introduction.id), func.min(Introduction.id)).where(*conditions)
    ).one()
    return count or 0, first


def to_broker(session: Session, user: User) -> list[WorkItem]:
    """New requests waiting for staff to forward or screen out."""
    count, first = _summary(session, Introduction.status == IntroductionStatus.requested)
    if not count:
        return []
    href = single_or_list(count, first, "/introductions/{id}", "/introductions/queue")
    return [WorkItem(gettext("Introductions to broker"), href, count=count)]


def forwarded_to_answer(session: Session, user: User) -> list[WorkItem]:
    """Requests staff forwarded to the user's companies, waiting for their answer."""
    companies = select(OrganisationMember.organisation_id).where(_own_organisations(user))
    count, first = _summary(
        session,
        Introduction.status == IntroductionStatus.forwarded,
        Introduction.partner_organisation_id.in_(companies),
    )
    if not count:
        return []
    href = single_or_list(count, first, "/introductions/{id}", "/introductions/inbox")
    return [WorkItem(gettext("Introduction requests to answer"), href, count=count)]


def open_introductions(session: Session, user: User) -> list[WorkItem]:
    """The organisations' requests not yet answered by staff or the partner."""
    organisations = select(OrganisationMember.organisation_id).where(_own_organisations(user))
    count, first = _summary(
        session,
        Introduction.status.in_((IntroductionStatus.requested, IntroductionStatus.forwarded)),
        Introduction.requester_organisation_id.in_(organisations),
    )
    if not count:
        return [WorkItem(gettext("Ask for an introduction to a partner"), "/partners")]
    href = single_or_list(count, first, "/introductions/{id}", "/introductions")
    return [WorkItem(gettext("Your open introduction requests"), href, count=count)]


def member_suggestions(session: Session, user: User) -> list[WorkItem]:
    """How many member organisations the user's organisation could work with."""
    count = suggestion_count(session, user)
    if not count:
        return [WorkItem(gettext("Browse the member directory"), "/directory")]
    return [WorkItem(gettext("Members you could work with"), "/directory", count=count)]


def member_requests_to_answer(session: Session, user: User) -> list[WorkItem]:
    """Requests staff forwarded to a member organisation the user owns (a partner's contacts
    see theirs in the partner part)."""
    if policies.has_partner_inbox(user):
        return []
    owned = select(OrganisationMember.organisation_id).where(
        _own_organisations(user), OrganisationMember.role == OrganisationRole.owner
    )
    count, first = _summary(
        session,
        Introduction.status == IntroductionStatus.forwarded,
        Introduction.partner_organisation_id.in_(owned),
    )
    if not count:
        return []
    href = single_or_list(count, first, "/introductions/{id}", "/introductions")
    return [WorkItem(gettext("Introduction requests to answer"), href, count=count)]
