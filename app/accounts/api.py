"""JSON routes: /api/v1/auth, /me, /users, /organisations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.accounts import organisations as org_service
from app.accounts import people, policies
from app.accounts import service as accounts
from app.accounts.deps import AdminUser, CurrentUser, StaffUser
from app.accounts.models import Organisation, OrganisationKind, Role, User
from app.accounts.schemas import (
    ApiTokenOut,
    IncorporationIn,
    InvitationIn,
    InvitationOut,
    MembershipOut,
    MeOut,
    MeUpdateIn,
    OrganisationIn,
    OrganisationMemberOut,
    OrganisationOut,
    OrganisationUpdateIn,
    PasswordResetIn,
    PersonIn,
    PersonOut,
    RegisteredOut,
    RegisterIn,
    RoleIn,
    TokenIn,
    TokenOut,
    UserOut,
)
from app.deps import PagingDep, SessionDep
from app.i18n import gettext
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _ip(request: Request) -> str:
    return str(request.state.client_ip)


def me_out(session: Session, user: User) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        roles=sorted(user.roles),
        organisations=[
            MembershipOut(id=org.id, name=org.name, kind=org.kind, role=role)
            for org, role in org_service.organisations_of(session, user)
        ],
        locale=user.locale,
        timezone=user.timezone,
        personal_inn=user.personal_inn,
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        roles=sorted(user.roles),
        is_active=user.is_active,
    )


def organisation_out(
    session: Session, user: User, organisation: Organisation, *, with_people: bool = False
) -> OrganisationOut:
    people_rows = None
    if with_people and people.sees_people(session, user, organisation.id):
        people_rows = [
            PersonOut.model_validate(people.person_out(p))
            for p in people.people_of(session, organisation.id)
        ]
    members = None
    if policies.can_see_organisation_people(session, user, organisation):
        members = [
            OrganisationMemberOut(user_id=m.user_id, full_name=m.user.full_name, role=m.role)
            # the loaded relationship: a list loads every organisation's members at once
            for m in sorted(organisation.members, key=lambda m: (m.joined_at, m.user_id))
        ]
    return OrganisationOut(
        id=organisation.id,
        name=organisation.name,
        kind=organisation.kind,
        inn=organisation.inn,
        ogrn=organisation.ogrn,
        region=organisation.region,
        sector=organisation.sector,
        stage=organisation.stage,
        website=organisation.website,
        description=organisation.description,
        verified=organisation.is_verified,
        created_at=organisation.created_at,
        members=members,
        people=people_rows,
    )


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=RegisteredOut)
def register(body: RegisterIn, request: Request, session: SessionDep) -> RegisteredOut:
    user = accounts.register(session, **body.model_dump(), ip_address=_ip(request))
    return RegisteredOut(id=user.id, email=user.email, roles=sorted(user.roles))


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={401: {"description": "Wrong email or password"}, 429: {"description": "Throttled"}},
)
def create_token(body: TokenIn, request: Request, session: SessionDep) -> Any:
    result = accounts.authenticate(
        session, email=body.email, password=body.password, ip_address=_ip(request)
    )
    if result.user is None:
        # Answered without raising so that the failed attempt is committed for throttling.
        return JSONResponse(
            {"detail": gettext("Wrong email or password.")},
            status_code=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    secret = accounts.issue_token(session, result.user, name=body.name, ip_address=_ip(request))
    return TokenOut(access_token=secret)


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED)
def password_reset(body: PasswordResetIn, request: Request, session: SessionDep) -> dict[str, str]:
    accounts.request_password_reset(session, email=body.email, ip_address=_ip(request))
    return {"detail": gettext("If the address is registered, a reset link has been sent to it.")}


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, session: SessionDep) -> MeOut:
    return me_out(session, user)


@router.patch("/me", response_model=MeOut)
def update_me(body: MeUpdateIn, user: CurrentUser, session: SessionDep) -> MeOut:
    changes = body.model_dump(exclude_unset=True)
    if "personal_inn" in changes:
        people.set_personal_inn(session, user, changes.pop("personal_inn"))
    accounts.update_profile(session, user, changes)
    return me_out(session, user)


@router.get("/me/tokens", response_model=Page[ApiTokenOut])
def my_tokens(user: CurrentUser, session: SessionDep) -> Page[ApiTokenOut]:
    tokens = accounts.list_tokens(session, user)
    return Page(items=[ApiTokenOut.model_validate(t) for t in tokens], total=len(tokens))


@router.delete("/me/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_my_token(token_id: int, user: CurrentUser, session: SessionDep) -> None:
    accounts.revoke_token(session, user, token_id)


@router.get("/users", response_model=Page[UserOut])
def list_users(
    admin: AdminUser,
    session: SessionDep,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[UserOut]:
    users, total = accounts.list_users(session, query=q, paging=paging)
    return Page(items=[user_out(u) for u in users], total=total)


@router.post("/users/{user_id}/roles", response_model=UserOut)
def grant_role(user_id: int, body: RoleIn, admin: AdminUser, session: SessionDep) -> UserOut:
    return user_out(accounts.grant_role(session, actor=admin, user_id=user_id, role=body.role))


@router.delete("/users/{user_id}/roles/{role}", response_model=UserOut)
def revoke_role(user_id: int, role: Role, admin: AdminUser, session: SessionDep) -> UserOut:
    return user_out(accounts.revoke_role(session, actor=admin, user_id=user_id, role=role))


@router.post("/users/{user_id}/enable", response_model=UserOut)
def enable_user(user_id: int, admin: AdminUser, session: SessionDep) -> UserOut:
    return user_out(accounts.enable_user(session, actor=admin, user_id=user_id))


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationOut)
def create_organisation(
    body: OrganisationIn, user: CurrentUser, session: SessionDep
) -> OrganisationOut:
    organisation = org_service.create_organisation(session, actor=user, values=body.model_dump())
    return organisation_out(session, user, organisation)


@router.get("/organisations", response_model=Page[OrganisationOut])
def list_organisations(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    kind: OrganisationKind | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[OrganisationOut]:
    rows, total = org_service.list_organisations(
        session, user=user, kind=kind, query=q, paging=paging
    )
    return Page(items=[organisation_out(session, user, o) for o in rows], total=total)


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut)
def get_organisation(
    organisation_id: int, user: CurrentUser, session: SessionDep
) -> OrganisationOut:
    organisation = org_service.get_visible_organisation(session, user, organisation_id)
    return organisation_out(session, user, organisation, with_people=True)


@router.put("/organisations/{organisation_id}/people", response_model=list[PersonOut])
def put_people(
    organisation_id: int,
    body: Annotated[list[PersonIn], Body(max_length=people.MAX_PEOPLE)],
    user: CurrentUser,
    session: SessionDep,
) -> list[PersonOut]:
    rows = people.replace_people(
        session,
        actor=user,
        organisation_id=organisation_id,
        people=[person.model_dump() for person in body],
    )
    return [PersonOut.model_validate(people.person_out(p)) for p in rows]


@router.patch("/organisations/{organisation_id}", response_model=OrganisationOut)
def update_organisation(
    organisation_id: int, body: OrganisationUpdateIn, user: CurrentUser, session: SessionDep
) -> OrganisationOut:
    organisation = org_service.update_organisation(
        session,
        actor=user,
        organisation_id=organisation_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return organisation_out(session, user, organisation)


def _owned_organisation(organisation_id: int, user: CurrentUser, session: SessionDep) -> int:
    """The owner's gate, answered before the body is read (404 to anyone else)."""
    return org_service.get_owned_organisation(session, user, organisation_id).id


@router.post("/organisations/{organisation_id}/incorporate", response_model=OrganisationOut)
def incorporate_organisation(
    organisation_id: int,
    _owner_gate: Annotated[int, Depends(_owned_organisation)],
    body: IncorporationIn,
    user: CurrentUser,
    session: SessionDep,
) -> OrganisationOut:
    organisation = org_service.incorporate(
        session, actor=user, organisation_id=organisation_id, inn=body.inn, ogrn=body.ogrn
    )
    return organisation_out(session, user, organisation)


@router.post("/organisations/{organisation_id}/verify", response_model=OrganisationOut)
def verify_organisation(
    organisation_id: int, staff: StaffUser, session: SessionDep
) -> OrganisationOut:
    organisation = org_service.verify_organisation(
        session, actor=staff, organisation_id=organisation_id
    )
    return organisation_out(session, staff, organisation)


@router.post(
    "/organisations/{organisation_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationOut,
)
def invite(
    organisation_id: int, body: InvitationIn, user: CurrentUser, session: SessionDep
) -> InvitationOut:
    invitation = org_service.invite_colleague(
        session, actor=user, organisation_id=organisation_id, email=str(body.email)
    )
    return InvitationOut.model_validate(invitation)
