"""Who may see or change accounts and organisations."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    Role,
    User,
)

REVIEWING_ROLES = (Role.staff, Role.admin, Role.chair, Role.committee)


_ROLES_KEY = "organisation_roles"


@event.listens_for(Session, "after_flush")
def _forget_organisation_roles(session: Session, _context: object) -> None:
    session.info.pop(_ROLES_KEY, None)


def organisation_role(
    session: Session, user: User, organisation_id: int
) -> OrganisationRole | None:
    """The user's role in the organisation. All of a user's roles are read in one query and
    kept on the session until its next flush, so that checking every row of a list is free."""
    cache: dict[int, dict[int, OrganisationRole]] = session.info.setdefault(_ROLES_KEY, {})
    roles = cache.get(user.id)
    if roles is None:
        roles = cache[user.id] = {
            org_id: OrganisationRole(role)
            for org_id, role in session.execute(
                select(OrganisationMember.organisation_id, OrganisationMember.role).where(
                    OrganisationMember.user_id == user.id
                )
            )
        }
    return roles.get(organisation_id)


def is_organisation_member(session: Session, user: User, organisation_id: int) -> bool:
    return organisation_role(session, user, organisation_id) is not None


def is_organisation_owner(session: Session, user: User, organisation_id: int) -> bool:
    return organisation_role(session, user, organisation_id) == OrganisationRole.owner


def can_view_organisation(session: Session, user: User | None, organisation: Organisation) -> bool:
    """Staff and the committee see every organisation; its people see their own; verified large
    companies and investors are visible to every logged-in user."""
    if user is None:
        return False
    if user.has_role(*REVIEWING_ROLES):
        return True
    if is_organisation_member(session, user, organisation.id):
        return True
    return organisation.is_verified and organisation.kind in (
        OrganisationKind.large,
        OrganisationKind.investor,
    )


def can_edit_organisation(session: Session, user: User, organisation: Organisation) -> bool:
    return user.is_staff or is_organisation_owner(session, user, organisation.id)


def can_see_organisation_people(session: Session, user: User, organisation: Organisation) -> bool:
    return user.is_staff or is_organisation_member(session, user, organisation.id)
