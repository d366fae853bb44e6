"""Membership of an organisation in the cluster, granted by the committee's approval."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, str_enum, utcnow
from app.i18n import N_
from app.vocab import LabelledEnum

GRACE_PERIOD = timedelta(days=30)


class MembershipStatus(LabelledEnum):
    active = "active"
    grace = "grace"
    expired = "expired"
    suspended = "suspended"
    revoked = "revoked"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "active": N_("Active"),
            "grace": N_("Grace period"),
            "expired": N_("Expired"),
            "suspended": N_("Suspended"),
            "revoked": N_("Revoked"),
        }


class Membership(Base):
    """`status` stores only the manual states (suspended, revoked); active → grace → expired
    follow from the dates, see `effective_status`."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str] = mapped_column(String(20), unique=True)
    verify_code: Mapped[str] = mapped_column(String(40), unique=True)
    starts_on: Mapped[date]
    expires_on: Mapped[date]
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, 10), default=MembershipStatus.active
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    listed: Mapped[bool] = mapped_column(default=True)
    application_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def effective_status(self, today: date) -> MembershipStatus:
        if self.status in (MembershipStatus.suspended, MembershipStatus.revoked):
            return self.status
        if today <= self.expires_on:
            return MembershipStatus.active
        if today <= self.expires_on + GRACE_PERIOD:
            return MembershipStatus.grace
        return MembershipStatus.expired
