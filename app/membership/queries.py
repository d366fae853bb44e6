"""Who is a member: a user is a member while an organisation they belong to has an active (or
grace-period) membership. Other domains ask here and nowhere else."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import OrganisationMember, User
from app.membership.models import GRACE_PERIOD, Membership, MembershipStatus


def _live_membership(today: date):  # type: ignore[no-untyped-def]
    return (Membership.status == MembershipStatus.active) & (
        Membership.expires_on >= today - GRACE_PERIOD
    )


def member_organisation_ids(
    session: Session, user: User, *, today: date | None = None
) -> list[int]:
    """The user's organisations whose membership is active or in its grace period."""
    today = today or date.today()
    return list(
        session.scalars(
            select(Membership.organisation_id)
            .join(
                OrganisationMember,
                OrganisationMember.organisation_id == Membership.organisation_id,
            )
            .where(OrganisationMember.user_id == user.id, _live_membership(today))
            .order_by(Membership.organisation_id)
        )
    )


def is_member(session: Session, user: User, *, today: date | None = None) -> bool:
    return bool(member_organisation_ids(session, user, today=today))


def is_member_organisation(
    session: Session, organisation_id: int, *, today: date | None = None
) -> bool:
    today = today or date.today()
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.organisation_id == organisation_id, _live_membership(today)
            )
        )
        is not None
    )
