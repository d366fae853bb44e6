"""Mentoring's parts of the workspace: staff's projects awaiting a mentor, a mentor's teams and
a team's mentor."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind, User
from app.accounts.workspace import WorkItem, single_or_list
from app.i18n import gettext
from app.membership.models import Membership, Tier
from app.mentoring.models import Mentorship, MentorshipStatus
from app.mentoring.service import owned_mentorship_ids


def unpaired_projects(session: Session, user: User) -> list[WorkItem]:
    """Projects and incubatees without a mentor yet."""
    incubatees = select(Membership.organisation_id).where(Membership.tier == Tier.incubatee)
    count = session.scalar(
        select(func.count(Organisation.id)).where(
            (Organisation.kind == OrganisationKind.project) | Organisation.id.in_(incubatees),
            Organisation.id.not_in(select(Mentorship.organisation_id)),
        )
    )
    if not count:
        return []
    return [WorkItem(gettext("Projects waiting for a mentor"), "/mentorships", count=count)]


def mentored_teams(session: Session, user: User) -> list[WorkItem]:
    count, first = session.execute(
        select(func.count(Mentorship.id), func.min(Mentorship.id)).where(
            Mentorship.mentor_id == user.id, Mentorship.status == MentorshipStatus.active
        )
    ).one()
    if not count:
        return []
    href = single_or_list(count, first, "/mentorships/{id}", "/mentorships")
    return [WorkItem(gettext("Teams you mentor"), href, count=count)]


def team_mentorship(session: Session, user: User) -> list[WorkItem]:
    ids = owned_mentorship_ids(session, user)
    if not ids:
        return []
    href = single_or_list(len(ids), min(ids), "/mentorships/{id}", "/mentorships")
    return [WorkItem(gettext("Your mentor and the session log"), href, count=len(ids))]
