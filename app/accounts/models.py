"""Users, roles, browser sessions, bearer tokens, throttle counters, password resets and
organisations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, str_enum, utcnow
from app.i18n import N_
from app.vocab import LabelledEnum


class Role(LabelledEnum):
    entrepreneur = "entrepreneur"
    committee = "committee"
    chair = "chair"
    staff = "staff"
    investor = "investor"
    partner = "partner"
    admin = "admin"
    observer = "observer"
    mentor = "mentor"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "entrepreneur": N_("Entrepreneur"),
            "committee": N_("Committee member"),
            "chair": N_("Committee chair"),
            "staff": N_("Cluster staff"),
            "investor": N_("Investor"),
            "partner": N_("Partner company contact"),
            "admin": N_("Administrator"),
            "observer": N_("Regional observer"),
            "mentor": N_("Mentor"),
        }


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    # False until the person picks a language themselves; until then login adopts the
    # language they were browsing in.
    locale_chosen: Mapped[bool] = mapped_column(default=False, server_default=false())
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    phone: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    consent_at: Mapped[datetime | None]
    consent_policy_version: Mapped[str | None] = mapped_column(String(20))
    erased_at: Mapped[datetime | None]
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A committee member's personal INN (12 digits), for conflicts derived from people.
    personal_inn: Mapped[str | None] = mapped_column(String(12), index=True)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="UserRole.user_id",
    )

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        return self.has_role(Role.staff, Role.admin)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (Index("ix_user_roles_role", "role", "user_id"),)  # the holders of a role

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="role_rows", foreign_keys=[user_id])


class WebSession(Base):
    """A browser session; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class ThrottleCounter(Base):
    """Hits on one throttled key (a login target, a client address, ...) in the current window.

    The key is an HMAC of what is counted, so the table holds no address in the clear. The row
    is incremented with one atomic upsert before the guarded work, and its row lock queues
    concurrent attempts on the same key: at most the limit get past it per window."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime]
    hits: Mapped[int]


class PasswordResetRequest(Base):
    """A reset asked for an address, answered by the worker: the request itself does the same
    work whether or not the address belongs to an account."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OrganisationKind(LabelledEnum):
    sme = "sme"
    large = "large"
    investor = "investor"
    project = "project"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "sme": N_("Small or medium company"),
            "large": N_("Large company"),
            "investor": N_("Investor"),
            "project": N_("Project (founding team, no company yet)"),
        }


class OrganisationRole(StrEnum):
    owner = "owner"
    member = "member"


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        Index("ix_organisations_name", "name", "id"),  # the register, in name order
        Index("ix_organisations_kind_name", "kind", "name"),  # partners and investors
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, 10))
    # None only for a project (a founding team without a legal entity yet).
    inn: Mapped[str | None] = mapped_column(String(12), unique=True)
    ogrn: Mapped[str | None] = mapped_column(String(15))
    region: Mapped[str] = mapped_column(String(100), index=True)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    stage: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    people: Mapped[list[OrganisationPerson]] = relationship(
        cascade="all, delete-orphan", order_by="OrganisationPerson.id"
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class OrganisationMember(Base):
    __tablename__ = "organisation_members"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[OrganisationRole] = mapped_column(
        str_enum(OrganisationRole, 10), default=OrganisationRole.member
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class PersonRole(LabelledEnum):
    founder = "founder"
    director = "director"
    shareholder = "shareholder"
    board = "board"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "founder": N_("Founder"),
            "director": N_("Director"),
            "shareholder": N_("Shareholder"),
            "board": N_("Board member"),
        }


class OrganisationPerson(Base):
    """A founder, director, shareholder or board member of an organisation, by personal INN."""

    __tablename__ = "organisation_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    inn: Mapped[str] = mapped_column(String(12), index=True)
    role: Mapped[PersonRole] = mapped_column(str_enum(PersonRole, 12))
    share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))


class OrganisationInvitation(Base):
    __tablename__ = "organisation_invitations"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
