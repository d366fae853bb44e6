"""Demo data: a user for every role and example organisations. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.identifiers import inn_with_check_digits, ogrn_with_check_digit
from app.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    Role,
    User,
    UserRole,
)
from app.accounts.passwords import hash_password
from app.db import utcnow
from app.domains import DEMOS

DEMO_PASSWORD = "demo-portal-2026"


@dataclass
class DemoWorld:
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)


DEMO_USERS = (
    ("admin", "admin@demo.cluster", "Анна Администратор", "ru", (Role.admin, Role.staff)),
    ("staff", "staff@demo.cluster", "Сергей Сотрудников", "ru", (Role.staff,)),
    ("chair", "chair@demo.cluster", "Елена Председатель", "ru", (Role.chair, Role.committee)),
    ("reviewer1", "reviewer1@demo.cluster", "Игорь Экспертов", "ru", (Role.committee,)),
    ("reviewer2", "reviewer2@demo.cluster", "Maria Reviewer", "en", (Role.committee,)),
    ("reviewer3", "reviewer3@demo.cluster", "Павел Оценщиков", "ru", (Role.committee,)),
    ("founder", "founder@demo.cluster", "Дмитрий Основателев", "ru", ()),
    ("founder_en", "founder.en@demo.cluster", "Alex Founder", "en", ()),
    ("applicant", "applicant@demo.cluster", "Вера Заявкина", "ru", ()),
    ("investor", "investor@demo.cluster", "Ольга Инвесторова", "ru", (Role.investor,)),
    ("partner", "partner@demo.cluster", "Николай Партнёров", "ru", (Role.partner,)),
    ("observer", "observer@demo.cluster", "Ирина Наблюдателева", "ru", (Role.observer,)),
    ("mentor", "mentor@demo.cluster", "Михаил Наставников", "ru", (Role.mentor,)),
    ("team", "team@demo.cluster", "Ксения Командова", "ru", ()),
)

DEMO_ORGANISATIONS = (
    (
        "geo",
        "ГеоТех Сибирь",
        OrganisationKind.sme,
        "540123456",
        "Новосибирская область",
        "geoinformation",
        "founder",
    ),
    (
        "robot",
        "Robotics Lab",
        OrganisationKind.sme,
        "770987654",
        "Москва",
        "hardware",
        "founder_en",
    ),
    (
        "agro",
        "АгроДрон",
        OrganisationKind.sme,
        "540777888",
        "Новосибирская область",
        "hardware",
        "applicant",
    ),
    (
        "fund",
        "Фонд «Северный венчур»",
        OrganisationKind.investor,
        "781234567",
        "Санкт-Петербург",
        "fintech",
        "investor",
    ),
    (
        "large",
        "ПромИнжиниринг",
        OrganisationKind.large,
        "660555444",
        "Свердловская область",
        "manufacturing",
        "partner",
    ),
)


def _ensure_user(
    session: Session, email: str, name: str, locale: str, roles: tuple[Role, ...]
) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            password_hash=hash_password(DEMO_PASSWORD),
            full_name=name,
            locale=locale,
            consent_at=utcnow(),
            consent_policy_version="demo",
            role_rows=[UserRole(role=Role.entrepreneur)],
        )
        session.add(user)
    for role in roles:
        if role not in user.roles:
            user.role_rows.append(UserRole(role=role))
    session.flush()
    return user


def _ensure_organisation(session: Session, world: DemoWorld, spec: tuple[object, ...]) -> None:
    key, name, kind, inn_prefix, region, sector, owner_key = spec
    inn = inn_with_check_digits(str(inn_prefix))
    organisation = session.scalar(select(Organisation).where(Organisation.inn == inn))
    if organisation is None:
        organisation = Organisation(
            name=str(name),
            kind=kind,
            inn=inn,
            ogrn=ogrn_with_check_digit("1" + str(inn_prefix) + "00"),
            region=str(region),
            sector=str(sector),
            description="",
            verified_at=utcnow() if kind != OrganisationKind.sme else None,
        )
        organisation.members.append(
            OrganisationMember(user_id=world.users[str(owner_key)].id, role=OrganisationRole.owner)
        )
        session.add(organisation)
        session.flush()
    world.organisations[str(key)] = organisation


def load_demo(session: Session) -> DemoWorld:
    world = DemoWorld()
    for key, email, name, locale, roles in DEMO_USERS:
        world.users[key] = _ensure_user(session, email, name, locale, roles)
    for spec in DEMO_ORGANISATIONS:
        _ensure_organisation(session, world, spec)
    for load in DEMOS:
        load(session, world)
    return world


# Which login to try first for each journey the demo tells (printed by `portal demo`).
DEMO_JOURNEYS = (
    ("Apply for membership", "applicant"),
    ("Review as committee", "reviewer2"),
    ("Decide as chair", "chair"),
    ("Book training, request a meeting (member)", "founder"),
    ("Answer meeting requests (investor)", "investor"),
    ("Partner introductions", "partner"),
    ("Verify, broker, run pitch days, outbox (staff)", "staff"),
    ("Mentor an incubated project (mentor)", "mentor"),
    ("Incubated project: mentor, sessions, incorporation", "team"),
    ("Users and roles (admin)", "admin"),
    ("Annual report of the region (observer)", "observer"),
)


def demo_journeys() -> list[tuple[str, str]]:
    """Each journey with the email of the demo login to try it with."""
    emails = {key: email for key, email, _name, _locale, _roles in DEMO_USERS}
    return [(journey, emails[key]) for journey, key in DEMO_JOURNEYS]


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        (email, DEMO_PASSWORD, ", ".join(r.value for r in roles) or "entrepreneur")
        for _key, email, _name, _locale, roles in DEMO_USERS
    ]
