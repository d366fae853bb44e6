"""Mentoring of incubated projects: staff pair an organisation with a mentor, who logs the
sessions held with the team."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.db import Base, str_enum, utcnow
from app.i18n import N_
from app.vocab import LabelledEnum


class MentorshipStatus(LabelledEnum):
    active = "active"
    ended = "ended"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"active": N_("Active"), "ended": N_("Ended")}


class Mentorship(Base):
    __tablename__ = "mentorships"
    __table_args__ = (UniqueConstraint("organisation_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MentorshipStatus] = mapped_column(
        str_enum(MentorshipStatus, 10), default=MentorshipStatus.active
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    sessions: Mapped[list[MentoringSession]] = relationship(
        back_populates="mentorship",
        order_by="(MentoringSession.held_on.desc(), MentoringSession.id.desc())",
        cascade="all, delete-orphan",
    )


class MentoringSession(Base):
    __tablename__ = "mentoring_sessions"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        Index("ix_mentoring_sessions_mentorship", "mentorship_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"))
    held_on: Mapped[date]
    minutes: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mentorship: Mapped[Mentorship] = relationship(back_populates="sessions")
