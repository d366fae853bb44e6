"""The people of an organisation (founders, directors, shareholders, board members, by personal
INN) and a user's own personal INN: the committee derives conflicts of interest from them.
Both are personal data: visible to the organisation's owners (the user themself), staff and
chairs only, exported and erased with the person."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import audit
from app.accounts.identifiers import is_valid_personal_inn
from app.accounts.models import (
    Organisation,
    OrganisationMember,
    OrganisationPerson,
    OrganisationRole,
    PersonRole,
    Role,
    User,
)
from app.accounts.organisations import get_visible_organisation
from app.accounts.personal_data import Traces
from app.accounts.policies import is_organisation_owner
from app.errors import FieldError, Forbidden
from app.i18n import gettext

MAX_PEOPLE = 200


def invalid_personal_inn() -> str:
    return gettext("A personal INN has 12 digits: check them.")


def sees_people(session: Session, user: User, organisation_id: int) -> bool:
    """The organisation's owners, staff and chairs see its people; nobody else does."""
    return user.has_role(Role.chair, Role.staff, Role.admin) or is_organisation_owner(
        session, user, organisation_id
    )


def sees_personal_inn(viewer: User, user: User) -> bool:
    """A personal INN is seen by its owner, staff and chairs."""
    return viewer.id == user.id or viewer.has_role(Role.chair, Role.staff, Role.admin)


def set_personal_inn(session: Session, user: User, value: str | None) -> None:
    """The user's personal INN (12 digits with their check digits), or none (an empty value)."""
    value = (value or "").strip() or None
    if value is not None and not is_valid_personal_inn(value):
        raise FieldError("personal_inn", invalid_personal_inn())
    user.personal_inn = value
    session.flush()


def people_of(session: Session, organisation_id: int) -> list[OrganisationPerson]:
    return list(
        session.scalars(
            select(OrganisationPerson)
            .where(OrganisationPerson.organisation_id == organisation_id)
            .order_by(OrganisationPerson.id)
        )
    )


def replace_people(
    session: Session, *, actor: User, organisation_id: int, people: list[dict[str, Any]]
) -> list[OrganisationPerson]:
    """The owner replaces the organisation's list of people (404 if they cannot see the
    organisation, 403 unless they own it; 422 naming the row of an invalid INN)."""
    organisation = get_visible_organisation(session, actor, organisation_id)
    if not is_organisation_owner(session, actor, organisation.id):
        raise Forbidden(gettext("Only the organisation's owner lists its people."))
    rows = []
    for index, person in enumerate(people):
        inn = str(person["inn"]).strip()
        if not is_valid_personal_inn(inn):
            raise FieldError(f"{index}.inn", invalid_personal_inn())
        share = person.get("share_percent")
        rows.append(
            OrganisationPerson(
                full_name=str(person["full_name"]).strip(),
                inn=inn,
                role=PersonRole(person["role"]),
                share_percent=Decimal(str(share)) if share is not None else None,
            )
        )
    session.execute(
        delete(OrganisationPerson).where(OrganisationPerson.organisation_id == organisation.id)
    )
    for row in rows:
        row.organisation_id = organisation.id
        session.add(row)
    session.flush()
    session.expire(organisation, ["people"])
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.people_listed",
        entity_type="organisation",
        entity_id=organisation.id,
        data={"count": len(rows)},
    )
    return people_of(session, organisation.id)


def person_out(person: OrganisationPerson) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "inn": person.inn,
        "role": person.role.value,
        "share_percent": float(person.share_percent) if person.share_percent is not None else None,
    }


def _owned(session: Session, user: User) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .join(OrganisationMember)
            .where(
                OrganisationMember.user_id == user.id,
                OrganisationMember.role == OrganisationRole.owner,
            )
            .order_by(Organisation.id)
        )
    )


def export_people(session: Session, user: User) -> dict[str, Any]:
    """The section of the export: the person's INN and the people lists of the organisations
    they own."""
    return {
        "personal_inn": user.personal_inn,
        "organisations": [
            {
                "id": organisation.id,
                "name": organisation.name,
                "people": [person_out(p) for p in people_of(session, organisation.id)],
            }
            for organisation in _owned(session, user)
        ],
    }


def erase_people(session: Session, *, user: User, traces: Traces) -> None:
    """The person's INN goes; so do the people lists of the organisations whose last owner they
    are (the list belongs to the organisation, and nobody is left to keep it)."""
    user.personal_inn = None
    for organisation in _owned(session, user):
        owners = session.scalar(
            select(func.count())
            .select_from(OrganisationMember)
            .where(
                OrganisationMember.organisation_id == organisation.id,
                OrganisationMember.role == OrganisationRole.owner,
                OrganisationMember.user_id != user.id,
            )
        )
        if not owners:
            session.execute(
                delete(OrganisationPerson).where(
                    OrganisationPerson.organisation_id == organisation.id
                )
            )
    session.flush()
