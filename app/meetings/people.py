"""Who is who in investor meetings: investors, the people of an organisation, members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, Role, User
from app.accounts.policies import organisation_roles
from app.errors import Forbidden
from app.i18n import gettext
from app.meetings.models import PitchParticipant
from app.membership import queries as membership

_MEMBER_ORGANISATIONS = "meetings.member_organisations"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_soft_rollback")
def _forget_member_organisations(session: Session, *_args: Any) -> None:
    session.info.pop(_MEMBER_ORGANISATIONS, None)


def investor_organisation(session: Session, user: User) -> Organisation | None:
    """The verified investor organisation of a user holding the investor role, if any."""
    if not user.has_role(Role.investor):
        return None
    return session.scalar(
        select(Organisation)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(
            OrganisationMember.user_id == user.id,
            Organisation.kind == OrganisationKind.investor,
            Organisation.verified_at.is_not(None),
        )
        .order_by(Organisation.id)
        .limit(1)
    )


def user_organisation_ids(session: Session, user: User) -> set[int]:
    """Every organisation the user belongs to, whatever its membership (read once per session
    with the user's roles in them)."""
    return set(organisation_roles(session, user))


def organisation_ids_of(user: User) -> Select[int]:
    """The user's organisations, as a subquery for the statement that needs them."""
    return select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)


def member_organisation_ids(session: Session, user: User) -> list[int]:
    """The user's organisations with a live membership, lowest id first. Read once and kept on
    the session until its next flush or rollback, so that a gate may ask again for free."""
    cache: dict[int, list[int]] = session.info.setdefault(_MEMBER_ORGANISATIONS, {})
    if user.id not in cache:
        cache[user.id] = membership.member_organisation_ids(session, user)
    return cache[user.id]


def requesting_organisation_ids(session: Session, user: User) -> list[int]:
    """The user's member organisations that may ask investors for meetings: a project (an
    incubatee without a registered company) may once it is incorporated."""
    ids = member_organisation_ids(session, user)
    if not ids:
        return []
    projects = set(
        session.scalars(
            select(Organisation.id).where(
                Organisation.id.in_(ids), Organisation.kind == OrganisationKind.project
            )
        )
    )
    return [i for i in ids if i not in projects]


def pitch_participant_ids(session: Session, pitch_day_id: int) -> set[int]:
    """The organisations registered for a pitch day."""
    return set(
        session.scalars(
            select(PitchParticipant.organisation_id).where(
                PitchParticipant.pitch_day_id == pitch_day_id
            )
        )
    )


def members_only(action: str) -> Forbidden:
    """The refusal of a members' feature; `action` is an `N_` phrase such as "see the
    investors"."""
    return Forbidden(gettext("Only members of the cluster may %(action)s.", action=gettext(action)))


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the organisations, in one statement ("" for one that is gone)."""
    found: dict[int, str] = {}
    if ids:
        found = dict(
            session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
            ).all()
        )
    return {i: found.get(i, "") for i in ids}
