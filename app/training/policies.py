"""Who may manage training and whom a user may enrol."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from app.accounts.models import OrganisationMember, OrganisationRole, User


def can_manage_training(user: User | None) -> bool:
    return user is not None and user.is_staff


def shared_owned_organisations(session: Session, owner: User, colleague_id: int) -> list[int]:
    """Organisations owned by `owner` that the colleague belongs to (lowest id first)."""
    owned = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == owner.id,
        OrganisationMember.role == OrganisationRole.owner,
    )
    return list(
        session.scalars(
            select(OrganisationMember.organisation_id)
            .where(
                OrganisationMember.user_id == colleague_id,
                OrganisationMember.organisation_id.in_(owned),
            )
            .order_by(OrganisationMember.organisation_id)
        )
    )


def can_enrol_colleague(session: Session, actor: User, colleague_id: int) -> bool:
    return bool(shared_owned_organisations(session, actor, colleague_id))


def enrollable_colleagues(session: Session, owner: User) -> list[User]:
    """People of the organisations `owner` owns, other than the owner, by name."""
    owned = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == owner.id,
        OrganisationMember.role == OrganisationRole.owner,
    )
    return list(
        session.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(
                OrganisationMember.organisation_id.in_(owned),
                User.id != owner.id,
                User.is_active.is_(True),
            )
            .distinct()
            .order_by(User.full_name, User.id)
            .options(lazyload(User.role_rows))  # names only: their roles are not needed
        )
    )
