"""Partner profiles, brokered introductions with their timeline, outcomes and success stories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app import audit
from app.accounts.models import Organisation, User
from app.bilingual import Translatable
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import N_, NC_, gettext
from app.vocab import LabelledEnum


class LookingFor(LabelledEnum):
    pilots = "pilots"
    suppliers = "suppliers"
    co_development = "co_development"
    procurement = "procurement"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "pilots": N_("Pilot projects"),
            "suppliers": N_("Suppliers"),
            "co_development": N_("Co-development"),
            "procurement": N_("Procurement"),
        }


class IntroductionStatus(LabelledEnum):
    requested = "requested"
    forwarded = "forwarded"
    accepted = "accepted"
    declined = "declined"
    screened_out = "screened_out"
    expired = "expired"
    # The requester left the portal (account disabled or erased) while it was pending.
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "requested": NC_("introduction", "Requested"),
            "forwarded": N_("Forwarded to the partner"),
            "accepted": NC_("introduction", "Accepted"),
            "declined": NC_("introduction", "Declined"),
            "screened_out": N_("Screened out"),
            "expired": NC_("introduction", "Expired"),
            "withdrawn": NC_("introduction", "Withdrawn"),
        }


TRANSITIONS: dict[IntroductionStatus, frozenset[IntroductionStatus]] = {
    IntroductionStatus.requested: frozenset(
        {
            IntroductionStatus.forwarded,
            IntroductionStatus.screened_out,
            IntroductionStatus.expired,
            IntroductionStatus.withdrawn,
        }
    ),
    IntroductionStatus.forwarded: frozenset(
        {
            IntroductionStatus.accepted,
            IntroductionStatus.declined,
            IntroductionStatus.expired,
            IntroductionStatus.withdrawn,
        }
    ),
    IntroductionStatus.accepted: frozenset(),
    IntroductionStatus.declined: frozenset(),
    IntroductionStatus.screened_out: frozenset(),
    IntroductionStatus.expired: frozenset(),
    IntroductionStatus.withdrawn: frozenset(),
}

# While a request is pending or accepted, the pair holds this key, so a second one is refused
# by the database (NULLs never collide).
CLOSED_STATES = frozenset(
    {
        IntroductionStatus.declined,
        IntroductionStatus.screened_out,
        IntroductionStatus.expired,
        IntroductionStatus.withdrawn,
    }
)

# Waiting for staff or for the partner.
PENDING_STATES = (IntroductionStatus.requested, IntroductionStatus.forwarded)


class OutcomeKind(LabelledEnum):
    meeting = "meeting"
    pilot = "pilot"
    contract = "contract"
    investment = "investment"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "meeting": N_("Meeting held"),
            "pilot": N_("Pilot"),
            "contract": N_("Contract"),
            "investment": N_("Investment"),
        }


class PartnerProfile(Translatable, Base):
    """What a verified large member looks for; the organisation id is the partner id."""

    __tablename__ = "partner_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    looking_for: Mapped[list[str]] = mapped_column(JSON, default=list)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    __translatable__ = {"summary": 5000}
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Introduction(Base):
    __tablename__ = "introductions"
    __table_args__ = (
        Index("ix_introductions_status_changed", "status", "status_changed_at"),
        Index("ix_introductions_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    partner_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(Text)
    offer: Mapped[str] = mapped_column(Text, default="")
    ask: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IntroductionStatus] = mapped_column(
        str_enum(IntroductionStatus), default=IntroductionStatus.requested
    )
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    screen_out_reason: Mapped[str | None] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    decline_reason_shared: Mapped[bool] = mapped_column(default=False)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    forwarded_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    checkin_3m_sent_at: Mapped[datetime | None]
    checkin_6m_sent_at: Mapped[datetime | None]

    requester_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[requester_organisation_id]
    )
    partner_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[partner_organisation_id]
    )
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    events: Mapped[list[IntroductionEvent]] = relationship(
        back_populates="introduction",
        cascade="all, delete-orphan",
        order_by="IntroductionEvent.id",
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="introduction", cascade="all, delete-orphan", order_by="Outcome.id"
    )


class IntroductionEvent(Base):
    """One step of the timeline the member and the partner see (no names, only what happened)."""

    __tablename__ = "introduction_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(
        ForeignKey("introductions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[IntroductionStatus] = mapped_column(str_enum(IntroductionStatus))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    introduction: Mapped[Introduction] = relationship(back_populates="events")


class Outcome(Base):
    __tablename__ = "introduction_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(
        ForeignKey("introductions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OutcomeKind] = mapped_column(str_enum(OutcomeKind))
    amount_rub: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text)
    side: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    introduction: Mapped[Introduction] = relationship(back_populates="outcomes")


class SuccessStory(Base):
    """Drafted by staff from an introduction's outcome, or from another record (a confirmed
    deal links to its story) that names the organisations the story belongs to. Public only
    while every side consents: both sides of an introduction; the member organisation and, when
    one is named, the partner organisation."""

    __tablename__ = "success_stories"
    __table_args__ = (
        CheckConstraint(
            "outcome_id IS NOT NULL OR member_organisation_id IS NOT NULL", name="has_sides"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int | None] = mapped_column(
        ForeignKey("introduction_outcomes.id", ondelete="CASCADE"), unique=True
    )
    # The sides of a story not drafted from an outcome (an outcome's come from its introduction).
    member_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_ru: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    member_consent_at: Mapped[datetime | None]
    member_consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    partner_consent_at: Mapped[datetime | None]
    partner_consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(index=True)

    outcome: Mapped[Outcome | None] = relationship()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def transition(
    session: Session,
    introduction: Introduction,
    to: IntroductionStatus,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> None:
    """The one place an introduction changes state: refuses illegal moves, keeps the timeline
    and the audit log."""
    current = IntroductionStatus(introduction.status)
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(
            gettext(
                "This introduction is %(status)s and cannot become %(target)s.",
                status=current.label,
                target=to.label,
            )
        )
    now = utcnow()
    introduction.status = to
    introduction.status_changed_at = now
    introduction.reminder_sent_at = None
    if to in CLOSED_STATES:
        introduction.open_key = None
    introduction.events.append(
        IntroductionEvent(status=to, actor_id=actor.id if actor else None, created_at=now)
    )
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"introduction.{to.value}",
        entity_type="introduction",
        entity_id=introduction.id,
        data={"from": current.value, "to": to.value, **(data or {})},
    )


class OrganisationProfile(Base):
    """What a member organisation offers, what it needs and its technologies, for the member
    directory and the suggestions of members to work with."""

    __tablename__ = "organisation_profiles"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    technologies: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
