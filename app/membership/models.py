"""Membership of an organisation in the cluster, granted by the committee's approval."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app import audit
from app.accounts.models import Organisation, OrganisationPerson, User
from app.db import Base, str_enum, utcnow
from app.errors import InvalidTransition
from app.i18n import N_, gettext
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


class Track(LabelledEnum):
    """The way an application joins: a company as a member, a founding team as an incubatee."""

    membership = "membership"
    incubation = "incubation"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"membership": N_("Membership"), "incubation": N_("Incubation")}


class Tier(LabelledEnum):
    member = "member"
    incubatee = "incubatee"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"member": N_("Member"), "incubatee": N_("Incubatee")}


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
    status_changed_at: Mapped[datetime | None]
    listed: Mapped[bool] = mapped_column(default=True)
    tier: Mapped[Tier] = mapped_column(
        str_enum(Tier, 10), default=Tier.member, server_default=Tier.member.value
    )
    application_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def restriction_reason(self) -> str | None:
        """Why the membership is suspended or revoked; None while it runs."""
        return self.status_reason if self.status != MembershipStatus.active else None

    def effective_status(self, today: date) -> MembershipStatus:
        if self.status in (MembershipStatus.suspended, MembershipStatus.revoked):
            return self.status
        if today <= self.expires_on:
            return MembershipStatus.active
        if today <= self.expires_on + GRACE_PERIOD:
            return MembershipStatus.grace
        return MembershipStatus.expired


# The manual states a membership's stored status moves between; active → grace → expired follow
# from the dates and are never stored. Revocation is final (a new application starts afresh).
MEMBERSHIP_TRANSITIONS: dict[MembershipStatus, frozenset[MembershipStatus]] = {
    MembershipStatus.active: frozenset({MembershipStatus.suspended, MembershipStatus.revoked}),
    MembershipStatus.suspended: frozenset({MembershipStatus.active, MembershipStatus.revoked}),
    MembershipStatus.revoked: frozenset(),
}


def transition_membership(
    session: Session,
    membership: Membership,
    to: MembershipStatus,
    *,
    actor: User | None,
    reason: str | None,
) -> None:
    """The one place a membership's manual status changes: refuses illegal moves (409) and
    writes the audit row."""
    current = MembershipStatus(membership.status)
    if to not in MEMBERSHIP_TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            gettext(
                "A membership that is %(current)s cannot become %(target)s.",
                current=current.label,
                target=to.label,
            )
        )
    membership.status = to
    membership.status_reason = reason
    membership.status_changed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"membership.{to.value}"
        if to != MembershipStatus.active
        else "membership.reinstated",
        entity_type="membership",
        entity_id=membership.id,
        # The reason is free text and stays on the membership row, which erasure can scrub;
        # the append-only log keeps no text that might name a person.
        data={"from": current.value, "to": to.value, "reason_given": bool(reason)},
    )


# --- Applications and committee review ----------------------------------------------------------


class ApplicationStatus(LabelledEnum):
    draft = "draft"
    submitted = "submitted"
    under_review = "under_review"
    response_requested = "response_requested"
    approved = "approved"
    rejected = "rejected"
    changes_requested = "changes_requested"
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "draft": N_("Draft"),
            "submitted": N_("Submitted"),
            "under_review": N_("Under review"),
            "response_requested": N_("Waiting for the applicant's answer"),
            "approved": N_("Approved"),
            "rejected": N_("Rejected"),
            "changes_requested": N_("Changes requested"),
            "withdrawn": N_("Withdrawn"),
        }


OPEN_STATUSES = frozenset(
    {
        ApplicationStatus.draft,
        ApplicationStatus.submitted,
        ApplicationStatus.under_review,
        ApplicationStatus.response_requested,
        ApplicationStatus.changes_requested,
    }
)
EDITABLE_STATUSES = frozenset({ApplicationStatus.draft, ApplicationStatus.changes_requested})

# Every legal move; `rejected → submitted` is the one appeal, `under_review → response_requested
# → under_review` the chair's questions and the applicant's answer.
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.draft: frozenset({ApplicationStatus.submitted, ApplicationStatus.withdrawn}),
    ApplicationStatus.submitted: frozenset(
        {ApplicationStatus.under_review, ApplicationStatus.withdrawn}
    ),
    ApplicationStatus.under_review: frozenset(
        {
            ApplicationStatus.approved,
            ApplicationStatus.rejected,
            ApplicationStatus.changes_requested,
            ApplicationStatus.response_requested,
            ApplicationStatus.withdrawn,
        }
    ),
    ApplicationStatus.response_requested: frozenset(
        {ApplicationStatus.under_review, ApplicationStatus.withdrawn}
    ),
    ApplicationStatus.changes_requested: frozenset(
        {ApplicationStatus.submitted, ApplicationStatus.withdrawn}
    ),
    ApplicationStatus.rejected: frozenset({ApplicationStatus.submitted}),
    ApplicationStatus.approved: frozenset(),
    ApplicationStatus.withdrawn: frozenset(),
}


class ConflictKind(LabelledEnum):
    employment = "employment"
    shareholding = "shareholding"
    board = "board"
    competitor = "competitor"
    personal = "personal"
    other = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "employment": N_("Employment"),
            "shareholding": N_("Shareholding"),
            "board": N_("Board seat"),
            "competitor": N_("Competitor"),
            "personal": N_("Personal relationship"),
            "other": N_("Other"),
        }


class Recommendation(LabelledEnum):
    approve = "approve"
    reject = "reject"
    changes = "changes"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "approve": N_("Approve"),
            "reject": N_("Reject"),
            "changes": N_("Request changes"),
        }


class DocumentKind(LabelledEnum):
    """What an application's document is; which kinds are required before submission is a
    setting (`PORTAL_MEMBERSHIP_REQUIRED_DOCUMENTS`)."""

    business_plan = "business_plan"
    financial_statements = "financial_statements"
    presentation = "presentation"
    other = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "business_plan": N_("Business plan"),
            "financial_statements": N_("Financial statements"),
            "presentation": N_("Presentation"),
            "other": N_("Other document"),
        }


class RubricVersion(Base):
    """The review criteria of a track as staff set them at one time, never changed afterwards:
    `criteria` is a list of `{key, label, label_en, weight, description}`. The incubation track
    follows the membership rubric until staff give it one of its own."""

    __tablename__ = "membership_rubric_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    track: Mapped[Track] = mapped_column(str_enum(Track, 12), index=True)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def weights(self) -> dict[str, float]:
        return criteria_weights(self.criteria)


def criteria_weights(criteria: list[dict[str, Any]]) -> dict[str, float]:
    """The weight of each criterion of a rubric, by key."""
    return {c["key"]: float(c["weight"]) for c in criteria}


class Application(Base):
    """A start-up's application for membership. `open_organisation_id` equals `organisation_id`
    while the application is open and is NULL otherwise: its unique index allows one open
    application per organisation on every database."""

    __tablename__ = "membership_applications"
    # The lists: newest activity first.
    __table_args__ = (Index("ix_membership_applications_updated", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    open_organisation_id: Mapped[int | None] = mapped_column(unique=True)
    applicant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, 20), default=ApplicationStatus.draft, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    innovation: Mapped[str] = mapped_column(Text, default="")
    market: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str] = mapped_column(Text, default="")
    funding_needs: Mapped[str] = mapped_column(Text, default="")
    review_round: Mapped[int] = mapped_column(default=0)
    track: Mapped[Track] = mapped_column(
        str_enum(Track, 12), default=Track.membership, server_default=Track.membership.value
    )
    # The rubric current when the application was last submitted; its reviews use it.
    rubric_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership_rubric_versions.id")
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decision_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appeal_statement: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    rubric_version: Mapped[RubricVersion | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="application", order_by="Assignment.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )
    parties: Mapped[list[ApplicationParty]] = relationship(
        order_by="ApplicationParty.id", cascade="all, delete-orphan"
    )
    response_requests: Mapped[list[ResponseRequest]] = relationship(
        order_by="ResponseRequest.id", cascade="all, delete-orphan"
    )

    @property
    def applicant_people(self) -> list[OrganisationPerson]:
        """The applying organisation's founders, directors, shareholders and board members."""
        return self.organisation.people


class PartyRelation(LabelledEnum):
    competitor = "competitor"
    shareholder = "shareholder"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"competitor": N_("Competitor"), "shareholder": N_("Shareholder")}


class ApplicationParty(Base):
    """An organisation the applicant named as a competitor or shareholder, by portal id or INN.
    Reviewers who belong to it are conflicted; the INN is kept so that an organisation that
    registers later is still matched."""

    __tablename__ = "membership_application_parties"
    __table_args__ = (UniqueConstraint("application_id", "relation", "inn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[PartyRelation] = mapped_column(str_enum(PartyRelation, 20))
    inn: Mapped[str] = mapped_column(String(12), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )


class ApplicationEvent(Base):
    """One move of the state machine, kept for the applicant's timeline (no actor shown)."""

    __tablename__ = "membership_application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    __tablename__ = "membership_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int]
    kind: Mapped[DocumentKind] = mapped_column(
        str_enum(DocumentKind, 30), default=DocumentKind.other, server_default="other"
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")


class Assignment(Base):
    """A reviewer assigned to one review round of an application, with their declaration."""

    __tablename__ = "membership_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=0)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date | None]
    declared_at: Mapped[datetime | None]
    conflict: Mapped[bool | None]
    conflict_kind: Mapped[ConflictKind | None] = mapped_column(str_enum(ConflictKind, 20))
    conflict_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    review: Mapped[Review | None] = relationship(
        back_populates="assignment", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def reviewer_name(self) -> str:
        return self.reviewer.full_name

    @property
    def declared(self) -> bool:
        return self.declared_at is not None


class Review(Base):
    __tablename__ = "membership_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("membership_assignments.id", ondelete="CASCADE"), unique=True
    )
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    # The scores weighed by the rubric when the review was saved (`reviews.rescore`), kept so
    # that the committee's statistics are SQL aggregates (`calibration`).
    weighted_score: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[Recommendation] = mapped_column(str_enum(Recommendation, 10))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("membership_rubric_versions.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="review")
    # Joined wherever a review is loaded: its weights and labels come with it.
    rubric_version: Mapped[RubricVersion] = relationship(lazy="joined")
    versions: Mapped[list[ReviewVersion]] = relationship(
        order_by="ReviewVersion.id", cascade="all, delete-orphan"
    )

    @property
    def weights(self) -> dict[str, float]:
        return self.rubric_version.weights


class ReviewVersion(Base):
    """A review as it was before an edit."""

    __tablename__ = "membership_review_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("membership_reviews.id", ondelete="CASCADE"), index=True
    )
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]


class ResponseRequest(Base):
    """The chair's questions to the applicant before the decision, and the applicant's one
    answer (None until given)."""

    __tablename__ = "membership_response_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(default=0)
    questions: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    answered_at: Mapped[datetime | None]


class DiscussionPost(Base):
    """A message in the committee's discussion of an application; the applicant never sees
    the thread."""

    __tablename__ = "membership_discussion_posts"
    __table_args__ = (Index("ix_membership_discussion_posts_thread", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def refused_move(current: ApplicationStatus, to: ApplicationStatus) -> InvalidTransition | None:
    """Why the transition table refuses moving an application from `current` to `to` (409), or
    None when the move is legal."""
    if to in TRANSITIONS[current]:
        return None
    return InvalidTransition(
        gettext(
            "An application that is %(current)s cannot become %(target)s.",
            current=current.label,
            target=to.label,
        )
    )


def transition(
    session: Session,
    application: Application,
    to: ApplicationStatus,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> ApplicationEvent:
    """The one place an application changes state: refuses illegal moves (409), keeps the
    one-open-application marker in step, and writes the timeline event (returned) and the audit
    row."""
    current = ApplicationStatus(application.status)
    refusal = refused_move(current, to)
    if refusal is not None:
        raise refusal
    application.status = to
    application.open_organisation_id = application.organisation_id if to in OPEN_STATUSES else None
    application.updated_at = utcnow()
    actor_id = actor.id if actor else None
    event = ApplicationEvent(from_status=current.value, to_status=to.value, actor_id=actor_id)
    application.events.append(event)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action=f"application.{to.value}",
        entity_type="membership_application",
        entity_id=application.id,
        data={"from": current.value, "to": to.value, **(data or {})},
    )
    return event


# --- Expertise and bids ---------------------------------------------------------------------------


class BidInterest(LabelledEnum):
    eager = "eager"
    willing = "willing"
    unable = "unable"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "eager": N_("Eager to review"),
            "willing": N_("Willing to review"),
            "unable": N_("Unable to review"),
        }


class Expertise(Base):
    """A committee member's sectors (slugs of `app.vocab`) and free topics, read by the
    automatic assignment."""

    __tablename__ = "committee_expertise"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Bid(Base):
    """A committee member's interest in reviewing an application open for bids."""

    __tablename__ = "membership_bids"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("membership_applications.id", ondelete="CASCADE")
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    interest: Mapped[BidInterest] = mapped_column(str_enum(BidInterest, 10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
