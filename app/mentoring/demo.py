"""Demo data of business creation (idempotent): the founding team "team" registers the project
"НейроПоле" (no company yet), approved on the incubation track, so it is an incubatee; the
"mentor" is paired with it and has logged two sessions."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
)
from app.db import utcnow
from app.membership.models import Application, ApplicationEvent, ApplicationStatus, Track
from app.membership.queries import membership_of
from app.membership.register import grant_membership
from app.mentoring.models import MentoringSession, Mentorship

PROJECT_NAME = "НейроПоле"
PROJECT_SECTIONS = {
    "summary": "Нейросеть, которая по снимкам с телефона находит болезни зерновых.",
    "innovation": "Модель, обученная на снимках сибирских полей, работает без сети.",
    "market": "Фермерские хозяйства Новосибирской и Омской областей.",
    "team": "Три выпускника НГУ: два инженера по данным и агроном.",
    "funding_needs": "3 млн рублей на регистрацию компании и пилот в двух хозяйствах.",
}
SESSIONS = (
    (21, 60, "Разобрали гипотезы о клиентах и план из десяти интервью с фермерами."),
    (7, 90, "Интервью проведены; выбрали форму юрлица и модель пилота."),
)


def _project(session: Session, world) -> Organisation:  # type: ignore[no-untyped-def]
    team = world.users["team"]
    organisation = session.scalar(
        select(Organisation)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == team.id, Organisation.name == PROJECT_NAME)
    )
    if organisation is None:
        organisation = Organisation(
            name=PROJECT_NAME,
            kind=OrganisationKind.project,
            inn=None,
            region="Новосибирская область",
            sector="software",
            stage="idea",
            description="Команда основателей; компания ещё не зарегистрирована.",
        )
        organisation.members.append(
            OrganisationMember(user_id=team.id, role=OrganisationRole.owner)
        )
        session.add(organisation)
        session.flush()
    world.organisations["project"] = organisation
    return organisation


def _incubate(session: Session, world, organisation: Organisation) -> None:  # type: ignore[no-untyped-def]
    if membership_of(session, organisation.id) is not None:
        return
    chair = world.users["chair"]
    now = utcnow()
    application = Application(
        organisation_id=organisation.id,
        open_organisation_id=None,
        applicant_id=world.users["team"].id,
        status=ApplicationStatus.approved,
        track=Track.incubation,
        decision_reason="Сильная команда и проверяемая гипотеза.",
        decision_codes=["team"],
        decided_by_id=chair.id,
        submitted_at=now,
        decided_at=now,
        **PROJECT_SECTIONS,
    )
    application.events = [
        ApplicationEvent(from_status="draft", to_status="submitted"),
        ApplicationEvent(from_status="submitted", to_status="under_review"),
        ApplicationEvent(from_status="under_review", to_status="approved", actor_id=chair.id),
    ]
    session.add(application)
    session.flush()
    grant_membership(session, actor=chair, application=application)


def _mentor(session: Session, world, organisation: Organisation) -> None:  # type: ignore[no-untyped-def]
    mentor = world.users["mentor"]
    mentorship = session.scalar(
        select(Mentorship).where(
            Mentorship.organisation_id == organisation.id, Mentorship.mentor_id == mentor.id
        )
    )
    if mentorship is not None:
        return
    mentorship = Mentorship(
        organisation_id=organisation.id, mentor_id=mentor.id, created_by_id=world.users["staff"].id
    )
    today = date.today()
    mentorship.sessions = [
        MentoringSession(held_on=today - timedelta(days=days), minutes=minutes, notes=notes)
        for days, minutes, notes in SESSIONS
    ]
    session.add(mentorship)
    session.flush()


def load(session: Session, world) -> None:  # type: ignore[no-untyped-def]
    organisation = _project(session, world)
    _incubate(session, world, organisation)
    _mentor(session, world, organisation)
