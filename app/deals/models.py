"""Private investment rounds that members report and staff confirm."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app import audit
from app.accounts.models import Organisation, User
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import N_, NC_, gettext
from app.introductions.models import SuccessStory
from app.vocab import LabelledEnum


class Instrument(LabelledEnum):
    equity = "equity"
    convertible = "convertible"
    loan = "loan"
    grant = "grant"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "equity": NC_("instrument", "Equity"),
            "convertible": NC_("instrument", "Convertible note"),
            "loan": NC_("instrument", "Loan"),
            "grant": NC_("instrument", "Grant"),
        }


class DealSource(LabelledEnum):
    meeting = "meeting"
    pitch_day = "pitch_day"
    introduction = "introduction"
    external = "external"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "meeting": N_("An investor meeting on the portal"),
            "pitch_day": N_("A pitch day"),
            "introduction": N_("An introduction through the portal"),
            "external": N_("Outside the portal"),
        }


class DealStatus(LabelledEnum):
    reported = "reported"
    confirmed = "confirmed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "reported": NC_("deal", "Reported"),
            "confirmed": NC_("deal", "Confirmed"),
        }


TRANSITIONS: dict[DealStatus, frozenset[DealStatus]] = {
    DealStatus.reported: frozenset({DealStatus.confirmed}),
    DealStatus.confirmed: frozenset(),
}


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (Index("ix_deals_status_closed", "status", "closed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    amount_rub: Mapped[int] = mapped_column(BigInteger)
    instrument: Mapped[Instrument] = mapped_column(str_enum(Instrument))
    closed_on: Mapped[date]
    investor_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    investor_name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[DealSource] = mapped_column(str_enum(DealSource))
    source_id: Mapped[int | None]
    status: Mapped[DealStatus] = mapped_column(str_enum(DealStatus), default=DealStatus.reported)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("success_stories.id", ondelete="SET NULL"), unique=True
    )

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    investor_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[investor_organisation_id]
    )
    story: Mapped[SuccessStory | None] = relationship()

    @property
    def investor_label(self) -> str:
        """The investor as pages show it: the portal organisation's name, else the name given."""
        if self.investor_organisation is not None:
            return self.investor_organisation.name
        return self.investor_name or ""


def transition(
    session: Session,
    deal: Deal,
    to: DealStatus,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> None:
    """The one place a deal changes state: refuses illegal moves and writes the audit row."""
    current = DealStatus(deal.status)
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(
            gettext(
                "This deal is %(status)s and cannot become %(target)s.",
                status=current.label,
                target=to.label,
            )
        )
    now = utcnow()
    deal.status = to
    if to == DealStatus.confirmed:
        deal.confirmed_at = now
        deal.confirmed_by_id = actor.id if actor else None
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"deal.{to.value}",
        entity_type="deal",
        entity_id=deal.id,
        data={"from": current.value, "to": to.value, **(data or {})},
    )
