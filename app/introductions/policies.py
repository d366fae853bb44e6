"""Who may see and act on introductions, partner profiles and success stories."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, Role, User
from app.accounts.policies import is_organisation_member
from app.introductions.models import Introduction, IntroductionStatus
from app.membership.queries import is_member


def is_partner_contact(session: Session, user: User, organisation_id: int) -> bool:
    """A contact person: holds the partner role and belongs to the large organisation."""
    return user.has_role(Role.partner) and is_organisation_member(session, user, organisation_id)


def is_partner(organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.large
        and organisation.is_verified
    )


def can_browse_partners(session: Session, user: User) -> bool:
    return user.is_staff or is_member(session, user)


def can_edit_profile(session: Session, user: User, organisation_id: int) -> bool:
    return user.is_staff or is_partner_contact(session, user, organisation_id)


def on_member_side(session: Session, user: User, introduction: Introduction) -> bool:
    return is_organisation_member(session, user, introduction.requester_organisation_id)


def on_partner_side(session: Session, user: User, introduction: Introduction) -> bool:
    """The partner learns of a request only once staff forward it."""
    return introduction.forwarded_at is not None and is_partner_contact(
        session, user, introduction.partner_organisation_id
    )


def can_view(session: Session, user: User, introduction: Introduction) -> bool:
    return (
        user.is_staff
        or on_member_side(session, user, introduction)
        or on_partner_side(session, user, introduction)
    )


def can_answer(session: Session, user: User, introduction: Introduction) -> bool:
    return on_partner_side(session, user, introduction)


def can_record_outcome(session: Session, user: User, introduction: Introduction) -> bool:
    return on_member_side(session, user, introduction) or on_partner_side(
        session, user, introduction
    )


def sees_contacts(introduction: Introduction) -> bool:
    """Contact details cross between the sides only after the partner accepted."""
    return introduction.status == IntroductionStatus.accepted


def user_organisation_ids(session: Session, user: User) -> list[int]:
    return list(
        session.scalars(
            select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
        )
    )
