"""Who may see or change accounts and organisations."""

from __future__ import annotations

from typing import Literal

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
from app.errors import Conflict, DomainError, Forbidden
from app.i18n import gettext

REVIEWING_ROLES = (Role.staff, Role.admin, Role.chair, Role.committee)


_ROLES_KEY = "organisation_roles"


@event.listens_for(Session, "after_flush")
def _forget_organisation_roles(session: Session, _context: object) -> None:
    session.info.pop(_ROLES_KEY, None)


def organisation_roles(session: Session, user: User) -> dict[int, OrganisationRole]:
    """The user's role in each of their organisations. Read in one query and kept on the session
    until its next flush, so that checking every row of a list is free."""
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
    return roles


def organisation_role(
    session: Session, user: User, organisation_id: int
) -> OrganisationRole | None:
    return organisation_roles(session, user).get(organisation_id)


def is_organisation_member(session: Session, user: User, organisation_id: int) -> bool:
    return organisation_role(session, user, organisation_id) is not None


def is_organisation_owner(session: Session, user: User, organisation_id: int) -> bool:
    return organisation_role(session, user, organisation_id) == OrganisationRole.owner


def sees_every_organisation(user: User) -> bool:
    """Staff and the committee see every organisation; others only their own."""
    return user.has_role(*REVIEWING_ROLES)


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


# What a read-only account may still change: its own settings, tokens, language and session,
# and its erasure.
OWN_ACCOUNT_PATHS = ("/account", "/api/v1/me", "/language", "/logout")


def is_read_only(user: User | None) -> bool:
    """A regional observer (holding no role that acts) reads the reports and changes nothing in
    the portal."""
    return (
        user is not None
        and user.has_role(Role.observer)
        and user.roles <= {Role.observer, Role.entrepreneur}
    )


def write_refusal(user: User, method: str, path: str) -> DomainError | None:
    """Every write of a read-only account is refused, except to its own account."""
    if method in ("GET", "HEAD", "OPTIONS") or not is_read_only(user):
        return None
    if any(path == own or path.startswith(own + "/") for own in OWN_ACCOUNT_PATHS):
        return None
    return Forbidden(gettext("This account is read-only."))


def can_manage_users(user: User | None) -> bool:
    """Administrators list users, grant and revoke roles, disable and enable accounts."""
    return user is not None and user.has_role(Role.admin)


def user_management_refusal(actor: User) -> DomainError | None:
    if can_manage_users(actor):
        return None
    return Forbidden(gettext("You do not have permission to do this."))


def role_revocation_refusal(actor: User, user: User, role: Role) -> DomainError | None:
    """Every user keeps the entrepreneur role, and no administrator removes their own (409)."""
    refusal = user_management_refusal(actor)
    if refusal is not None:
        return refusal
    if role == Role.entrepreneur:
        return Conflict(gettext("Every user keeps the entrepreneur role."))
    if role == Role.admin and user.id == actor.id:
        return Conflict(gettext("You cannot remove your own administrator role."))
    return None


def disabling_refusal(actor: User, user: User) -> DomainError | None:
    """Administrators disable accounts other than their own (409)."""
    refusal = user_management_refusal(actor)
    if refusal is not None:
        return refusal
    if user.id == actor.id:
        return Conflict(gettext("You cannot disable your own account."))
    return None


def account_switch(user: User) -> Literal["disable", "enable"]:
    """What the user list offers for an account: to disable an active one, else to enable it."""
    return "disable" if user.is_active else "enable"


def verifies_organisations(user: User) -> bool:
    """Cluster staff verify large companies and investors."""
    return user.is_staff


def joins_by_verification(organisation: Organisation) -> bool:
    """Large companies and investors join by staff verification; start-ups and projects apply
    instead."""
    return organisation.kind in (OrganisationKind.large, OrganisationKind.investor)


def incorporation_refusal(organisation: Organisation) -> DomainError | None:
    """Only a project (no legal entity yet) incorporates; a company already has one (409)."""
    if organisation.kind != OrganisationKind.project:
        return Conflict(gettext("This organisation is already a registered company."))
    return None


def can_incorporate(session: Session, user: User, organisation: Organisation) -> bool:
    """The owner of a project may record its incorporation."""
    return incorporation_refusal(organisation) is None and is_organisation_owner(
        session, user, organisation.id
    )


def verification_refusal(user: User, organisation: Organisation) -> DomainError | None:
    """Staff (403) verify an organisation that joins by verification and is not yet verified
    (409)."""
    if not verifies_organisations(user):
        return Forbidden(gettext("You do not have permission to do this."))
    if not joins_by_verification(organisation):
        return Conflict(
            gettext("Small and medium companies join through the membership application.")
        )
    if organisation.verified_at is not None:
        return Conflict(gettext("This organisation is already verified."))
    return None


def can_verify_organisation(user: User, organisation: Organisation) -> bool:
    return verification_refusal(user, organisation) is None


def owners_among(members: list[OrganisationMember]) -> set[int]:
    """The user ids of the organisation's owners among its people."""
    return {m.user_id for m in members if m.role == OrganisationRole.owner}
