"""Pairing an organisation with a mentor, the mentorships a person sees, and the sessions the
mentor logs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    Role,
    User,
    UserRole,
)
from app.errors import Conflict, FieldError, NotFound
from app.i18n import gettext
from app.mentoring import policies
from app.mentoring.models import MentoringSession, Mentorship
from app.pagination import Paging, paginate


def pair(session: Session, *, actor: User, organisation_id: int, mentor_id: int) -> Mentorship:
    """Staff pair an organisation with a person holding the role mentor; a pair exists once
    (409)."""
    policies.enforce(policies.pairing_refusal(actor))
    if session.get(Organisation, organisation_id) is None:
        raise FieldError("organisation_id", gettext("Organisation not found."))
    policies.enforce(policies.mentor_refusal(session.get(User, mentor_id)))
    mentorship = Mentorship(
        organisation_id=organisation_id, mentor_id=mentor_id, created_by_id=actor.id
    )
    session.add(mentorship)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(gettext("This mentor is already paired with this organisation.")) from exc
    audit.record(
        session,
        actor_id=actor.id,
        action="mentorship.paired",
        entity_type="mentorship",
        entity_id=mentorship.id,
        data={"organisation_id": organisation_id, "mentor_id": mentor_id},
    )
    return mentorship


def _owned_by(user: User) -> ColumnElement[bool]:
    return Mentorship.organisation_id.in_(
        select(OrganisationMember.organisation_id).where(
            OrganisationMember.user_id == user.id,
            OrganisationMember.role == OrganisationRole.owner,
        )
    )


def _visible_to(user: User) -> ColumnElement[bool]:
    """Staff see every mentorship; a mentor theirs; an owner their organisation's."""
    if user.is_staff:
        return Mentorship.id.is_not(None)
    condition = _owned_by(user)
    if policies.is_mentor(user):
        condition = condition | (Mentorship.mentor_id == user.id)
    return condition


def owned_mentorship_ids(session: Session, user: User) -> list[int]:
    return list(session.scalars(select(Mentorship.id).where(_owned_by(user)).limit(50)))


def list_mentorships(
    session: Session, *, actor: User, paging: Paging = Paging(50, 0)
) -> tuple[list[Mentorship], int]:
    statement = select(Mentorship).where(_visible_to(actor)).order_by(Mentorship.id.desc())
    return paginate(
        session,
        statement,
        paging,
        options=[selectinload(Mentorship.organisation), selectinload(Mentorship.mentor)],
    )


def get_mentorship(session: Session, *, actor: User, mentorship_id: int) -> Mentorship:
    mentorship = session.get(Mentorship, mentorship_id)
    if mentorship is None or not policies.can_view_mentorship(session, actor, mentorship):
        raise NotFound(gettext("Mentorship not found."))
    return mentorship


def loggable_mentorship(session: Session, *, actor: User, mentorship_id: int) -> Mentorship:
    """A mentorship the actor may log a session of (its mentor, while active)."""
    mentorship = session.get(Mentorship, mentorship_id)
    policies.enforce(policies.session_refusal(session, actor, mentorship))
    assert mentorship is not None
    return mentorship


def log_session(
    session: Session,
    *,
    actor: User,
    mentorship_id: int,
    held_on: date,
    minutes: int,
    notes: str,
    today: date | None = None,
) -> MentoringSession:
    """The mentor logs a session that has taken place (not in the future), of some minutes."""
    mentorship = loggable_mentorship(session, actor=actor, mentorship_id=mentorship_id)
    policies.enforce(policies.held_on_refusal(held_on, today or date.today()))
    if minutes <= 0:
        raise FieldError("minutes", gettext("Give the length of the session in minutes."))
    logged = MentoringSession(
        mentorship_id=mentorship.id, held_on=held_on, minutes=minutes, notes=notes.strip()
    )
    session.add(logged)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="mentorship.session_logged",
        entity_type="mentorship",
        entity_id=mentorship.id,
        data={"session_id": logged.id, "minutes": minutes},
    )
    return logged


def sessions_of(session: Session, mentorship_id: int) -> list[MentoringSession]:
    return list(
        session.scalars(
            select(MentoringSession)
            .where(MentoringSession.mentorship_id == mentorship_id)
            .order_by(MentoringSession.held_on.desc(), MentoringSession.id.desc())
        )
    )


def session_totals(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each mentorship, the number of sessions and their minutes."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            MentoringSession.mentorship_id,
            func.count(MentoringSession.id),
            func.coalesce(func.sum(MentoringSession.minutes), 0),
        )
        .where(MentoringSession.mentorship_id.in_(ids))
        .group_by(MentoringSession.mentorship_id)
    ).all()
    found = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    return {i: found.get(i, (0, 0)) for i in ids}


def mentors(session: Session) -> list[User]:
    """The active people holding the role mentor, for staff's pairing form."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.is_active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.mentor)),
            )
            .order_by(User.full_name, User.id)
        )
    )


def pairable_organisations(session: Session) -> list[tuple[int, str]]:
    """The organisations staff pair with mentors: projects and incubatees first (by name), as
    (id, name) choices."""
    from app.membership.models import Membership, Tier

    incubatees = select(Membership.organisation_id).where(Membership.tier == Tier.incubatee)
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where((Organisation.kind == OrganisationKind.project) | Organisation.id.in_(incubatees))
        .order_by(Organisation.name, Organisation.id)
    ).all()
    return [(row.id, row.name) for row in rows]
