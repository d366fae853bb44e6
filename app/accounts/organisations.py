"""Organisations: creation with checked INN/OGRN, editing, staff verification, colleagues."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.accounts import credentials, kinds, policies
from app.accounts.identifiers import is_valid_inn, is_valid_ogrn
from app.accounts.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    Role,
    User,
    UserRole,
)
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, NotFound, raise_field_errors
from app.i18n import gettext
from app.messaging import notify, notify_address
from app.pagination import Paging, paginate
from app.vocab import is_known_region, sector_slugs

EDITABLE_FIELDS = ("name", "ogrn", "region", "sector", "stage", "website", "description")


def field_problems(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with the identifiers and vocabulary of an organisation's fields (those
    given), every field at once; a form shows them beside its own checks."""
    problems: dict[str, str] = {}
    if values.get("inn") and not is_valid_inn(str(values["inn"])):
        problems["inn"] = gettext("The INN is not valid: check its digits.")
    if values.get("ogrn") and not is_valid_ogrn(str(values["ogrn"])):
        problems["ogrn"] = gettext("The OGRN is not valid: check its digits.")
    if values.get("sector") and values["sector"] not in sector_slugs():
        problems["sector"] = gettext("Unknown sector.")
    if values.get("region") and not is_known_region(str(values["region"])):
        problems["region"] = gettext("Unknown region.")
    return problems


def _check_fields(values: dict[str, Any]) -> None:
    # A project (a founding team without a legal entity) has no INN until it incorporates.
    if "inn" in values and not values["inn"] and values.get("kind") != OrganisationKind.project:
        raise FieldError("inn", gettext("The INN is not valid: check its digits."))
    raise_field_errors(field_problems(values))


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for key in ("website", "stage"):
        if cleaned.get(key) is not None:
            cleaned[key] = str(cleaned[key])
    for key in ("inn", "ogrn"):
        if cleaned.get(key) == "":
            cleaned[key] = None
    return cleaned


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(gettext("Organisation not found."))
    return organisation


def get_visible_organisation(
    session: Session, user: User | None, organisation_id: int
) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not policies.can_view_organisation(session, user, organisation):
        raise NotFound(gettext("Organisation not found."))
    return organisation


def create_organisation(session: Session, *, actor: User, values: dict[str, Any]) -> Organisation:
    """The creator becomes the owner. Large companies and investors await staff verification."""
    values = _normalise(values)
    _check_fields(values)
    values.setdefault("inn", None)
    if values["inn"] is not None and session.scalar(
        select(Organisation.id).where(Organisation.inn == values["inn"])
    ):
        raise Conflict(gettext("An organisation with this INN is already registered."))
    organisation = Organisation(**values)
    organisation.members.append(OrganisationMember(user_id=actor.id, role=OrganisationRole.owner))
    session.add(organisation)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(gettext("An organisation with this INN is already registered.")) from exc
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.created",
        entity_type="organisation",
        entity_id=organisation.id,
        # No INN: a sole proprietor's identifies a person, and the log cannot be scrubbed.
        data={"kind": organisation.kind},
    )
    return organisation


def update_organisation(
    session: Session, *, actor: User, organisation_id: int, changes: dict[str, Any]
) -> Organisation:
    organisation = get_visible_organisation(session, actor, organisation_id)
    if not policies.can_edit_organisation(session, actor, organisation):
        raise Forbidden(gettext("Only the owner or cluster staff may edit this organisation."))
    changes = _normalise({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    _check_fields(changes)
    for field, value in changes.items():
        setattr(organisation, field, value)
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.updated",
        entity_type="organisation",
        entity_id=organisation.id,
        data={"fields": sorted(changes)},
    )
    session.flush()
    return organisation


def get_owned_organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    """An organisation the user owns; 404 for anyone else, as for one they cannot see."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not policies.is_organisation_owner(session, user, organisation_id):
        raise NotFound(gettext("Organisation not found."))
    return organisation


def incorporate(
    session: Session, *, actor: User, organisation_id: int, inn: str, ogrn: str | None
) -> Organisation:
    """A project whose founders have registered the company: its owner gives the INN (and the
    OGRN) and it continues as a small or medium company, with its membership, applications and
    history. Anyone but the owner gets 404, as for an organisation they cannot see."""
    organisation = get_owned_organisation(session, actor, organisation_id)
    refusal = policies.incorporation_refusal(organisation)
    if refusal is not None:
        raise refusal
    values = _normalise({"inn": inn.strip(), "ogrn": (ogrn or "").strip()})
    _check_fields(values)
    if session.scalar(select(Organisation.id).where(Organisation.inn == values["inn"])):
        raise Conflict(gettext("An organisation with this INN is already registered."))
    organisation.inn = values["inn"]
    if values["ogrn"]:
        organisation.ogrn = values["ogrn"]
    organisation.kind = OrganisationKind.sme
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(gettext("An organisation with this INN is already registered.")) from exc
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.incorporated",
        entity_type="organisation",
        entity_id=organisation.id,
        data={"from": OrganisationKind.project.value, "to": OrganisationKind.sme.value},
    )
    return organisation


def verify_organisation(session: Session, *, actor: User, organisation_id: int) -> Organisation:
    """Large companies and investors join by staff verification (start-ups apply instead)."""
    organisation = get_organisation(session, organisation_id)
    refusal = policies.verification_refusal(actor, organisation)
    if refusal is not None:
        raise refusal
    organisation.verified_at = utcnow()
    organisation.verified_by_id = actor.id
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.verified",
        entity_type="organisation",
        entity_id=organisation.id,
    )
    session.flush()
    return organisation


def list_organisations(
    session: Session,
    *,
    user: User,
    kind: OrganisationKind | None,
    query: str | None,
    paging: Paging,
    unverified: bool = False,
) -> tuple[list[Organisation], int]:
    """Staff see all organisations; others see their own. `unverified`: the large companies and
    investors still waiting for verification."""
    statement = select(Organisation)
    if unverified:
        statement = statement.where(
            Organisation.kind.in_((OrganisationKind.large, OrganisationKind.investor)),
            Organisation.verified_at.is_(None),
        )
    if not policies.sees_every_organisation(user):
        statement = statement.join(OrganisationMember).where(OrganisationMember.user_id == user.id)
    if kind is not None:
        statement = statement.where(Organisation.kind == kind)
    if query:
        statement = statement.where(func.lower(Organisation.name).like(f"%{query.lower()}%"))
    people = (
        selectinload(Organisation.members)
        .joinedload(OrganisationMember.user)
        .lazyload(User.role_rows)
    )
    return paginate(session, statement.order_by(Organisation.name), paging, options=[people])


def organisations_of(session: Session, user: User) -> list[tuple[Organisation, str]]:
    rows = session.execute(
        select(Organisation, OrganisationMember.role)
        .join(OrganisationMember)
        .where(OrganisationMember.user_id == user.id)
        .order_by(Organisation.name)
    ).all()
    return [(org, str(role)) for org, role in rows]


def members_of(session: Session, organisation_id: int) -> list[OrganisationMember]:
    return list(
        session.scalars(
            select(OrganisationMember)
            .options(selectinload(OrganisationMember.user))
            .where(OrganisationMember.organisation_id == organisation_id)
            .order_by(OrganisationMember.joined_at)
        )
    )


def people_of(
    session: Session,
    organisation_id: int,
    *,
    role: OrganisationRole | None = None,
    holding: Role | None = None,
    active_only: bool = False,
) -> list[User]:
    """The people of an organisation, by account number: only its owners (`role`), only those
    holding a portal role (`holding`, e.g. the partner contacts), only active accounts."""
    statement = (
        select(User)
        .join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id == organisation_id)
        .order_by(User.id)
    )
    if role is not None:
        statement = statement.where(OrganisationMember.role == role)
    if holding is not None:
        statement = statement.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == holding))
        )
    if active_only:
        statement = statement.where(User.is_active.is_(True))
    return list(session.scalars(statement))


def invite_colleague(
    session: Session, *, actor: User, organisation_id: int, email: str
) -> OrganisationInvitation:
    organisation = get_visible_organisation(session, actor, organisation_id)
    if not policies.can_edit_organisation(session, actor, organisation):
        raise Forbidden(gettext("Only the owner may invite colleagues."))
    email = email.strip().lower()
    existing = session.scalar(
        select(OrganisationInvitation).where(
            OrganisationInvitation.organisation_id == organisation.id,
            OrganisationInvitation.email == email,
        )
    )
    if existing is not None:
        raise Conflict(gettext("This address has already been invited."))
    invitee = session.scalar(select(User).where(User.email == email))
    if invitee is not None and policies.is_organisation_member(session, invitee, organisation.id):
        raise Conflict(gettext("This person is already a member of the organisation."))
    secret = credentials.new_secret()
    invitation = OrganisationInvitation(
        organisation_id=organisation.id,
        email=email,
        token_hash=credentials.digest(secret),
        invited_by_id=actor.id,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.colleague_invited",
        entity_type="organisation",
        entity_id=organisation.id,
        data={"invitation_id": invitation.id},
    )
    if invitee is not None:
        notify(
            session,
            recipient=invitee,
            kind=kinds.ORGANISATION_INVITATION,
            template="accounts/invitation",
            key=f"account.invitation:{invitation.id}",
            context={"organisation_name": organisation.name, "inviter": actor.full_name},
            link=f"/invitations/{secret}",
        )
    else:
        notify_address(
            session,
            to_email=email,
            kind=kinds.ORGANISATION_INVITATION,
            template="accounts/invitation",
            key=f"account.invitation:{invitation.id}",
            context={"organisation_name": organisation.name, "inviter": actor.full_name},
            link=f"/invitations/{secret}",
        )
    return invitation


def accept_invitation(session: Session, *, actor: User, secret: str) -> Organisation:
    invitation = session.scalar(
        select(OrganisationInvitation).where(
            OrganisationInvitation.token_hash == credentials.digest(secret)
        )
    )
    if invitation is None or invitation.email != actor.email:
        raise NotFound(gettext("This invitation is invalid or addressed to someone else."))
    if invitation.accepted_at is not None:
        raise Conflict(gettext("This invitation has already been accepted."))
    organisation = get_organisation(session, invitation.organisation_id)
    if not policies.is_organisation_member(session, actor, organisation.id):
        session.add(OrganisationMember(organisation_id=organisation.id, user_id=actor.id))
    invitation.accepted_at = utcnow()
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.colleague_joined",
        entity_type="organisation",
        entity_id=organisation.id,
    )
    session.flush()
    return organisation
