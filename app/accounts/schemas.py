"""Request and response bodies of the accounts and organisations API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field, field_validator

from app.accounts.models import OrganisationKind, PersonRole, Role
from app.i18n import is_valid_timezone
from app.schemas import Input, Output, Website
from app.vocab import Stage

Password = Field(min_length=1, max_length=1024)


class RegisterIn(Input):
    email: EmailStr = Field(max_length=254)
    password: str = Password
    full_name: str = Field(min_length=1, max_length=200)
    locale: Literal["ru", "en"] = "ru"
    timezone: str = Field(default="Europe/Moscow", max_length=64)
    consent_personal_data: bool

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if not is_valid_timezone(value):
            raise ValueError("unknown time zone")
        return value


class RegisteredOut(Output):
    id: int
    email: str
    roles: list[Role]


class TokenIn(Input):
    email: str = Field(min_length=1, max_length=254)
    password: str = Password
    name: str = Field(default="API token", max_length=100)


class TokenOut(Output):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class ApiTokenOut(Output):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class PasswordResetIn(Input):
    email: str = Field(min_length=1, max_length=254)


class MembershipOut(Output):
    id: int
    name: str
    kind: OrganisationKind
    role: str


class MeOut(Output):
    id: int
    email: str
    full_name: str
    roles: list[Role]
    organisations: list[MembershipOut]
    locale: str
    timezone: str
    personal_inn: str | None = None


class MeUpdateIn(Input):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    locale: Literal["ru", "en"] | None = None
    timezone: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=40)
    personal_inn: str | None = Field(default=None, max_length=20)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_timezone(value):
            raise ValueError("unknown time zone")
        return value


class RoleIn(Input):
    role: Role


class UserOut(Output):
    id: int
    email: str
    full_name: str
    roles: list[Role]
    is_active: bool


class OrganisationIn(Input):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    inn: str | None = Field(default=None, max_length=20)  # optional for a project only
    ogrn: str | None = Field(default=None, max_length=20)
    region: str = Field(min_length=1, max_length=100)
    sector: str = Field(min_length=1, max_length=40)
    stage: Stage | None = None
    website: Website = None
    description: str = Field(default="", max_length=10_000)


class OrganisationUpdateIn(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    ogrn: str | None = Field(default=None, max_length=20)
    region: str | None = Field(default=None, min_length=1, max_length=100)
    sector: str | None = Field(default=None, min_length=1, max_length=40)
    stage: Stage | None = None
    website: Website = None
    description: str | None = Field(default=None, max_length=10_000)


class OrganisationMemberOut(Output):
    user_id: int
    full_name: str
    role: str


class OrganisationOut(Output):
    id: int
    name: str
    kind: OrganisationKind
    inn: str | None
    ogrn: str | None
    region: str
    sector: str
    stage: str | None
    website: str | None
    description: str
    verified: bool
    created_at: datetime
    members: list[OrganisationMemberOut] | None = None
    # Founders, directors, shareholders and board members: for owners, staff and chairs only.
    people: list[PersonOut] | None = None


class PersonIn(Input):
    full_name: str = Field(min_length=1, max_length=200)
    inn: str = Field(min_length=1, max_length=20)
    role: PersonRole
    share_percent: float | None = Field(default=None, ge=0, le=100)


class PersonOut(Output):
    full_name: str
    inn: str
    role: PersonRole
    share_percent: float | None


class IncorporationIn(Input):
    inn: str = Field(min_length=1, max_length=20)
    ogrn: str | None = Field(default=None, max_length=20)


class InvitationIn(Input):
    email: EmailStr = Field(max_length=254)


class InvitationOut(Output):
    id: int
    organisation_id: int
    email: str
    created_at: datetime
    accepted_at: datetime | None
