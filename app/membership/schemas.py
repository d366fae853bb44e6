"""Request and response bodies of the membership API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from app.membership.models import (
    ApplicationStatus,
    BidInterest,
    ConflictKind,
    Recommendation,
    Tier,
    Track,
)
from app.schemas import Input, Output

SECTION_MAX = 10_000
Section = Field(default="", max_length=SECTION_MAX)
# An organisation named by its portal number or its INN (digits, at most 12).
PartyRef = int | Annotated[str, StringConstraints(max_length=12)]


class ApplicationIn(Input):
    organisation_id: int
    track: Track = Track.membership
    summary: str = Section
    innovation: str = Section
    market: str = Section
    team: str = Section
    funding_needs: str = Section
    competitors: list[PartyRef] = Field(default_factory=list, max_length=20)
    shareholders: list[PartyRef] = Field(default_factory=list, max_length=20)


class ApplicationUpdateIn(Input):
    summary: str | None = Field(default=None, max_length=SECTION_MAX)
    innovation: str | None = Field(default=None, max_length=SECTION_MAX)
    market: str | None = Field(default=None, max_length=SECTION_MAX)
    team: str | None = Field(default=None, max_length=SECTION_MAX)
    funding_needs: str | None = Field(default=None, max_length=SECTION_MAX)
    competitors: list[PartyRef] | None = Field(default=None, max_length=20)
    shareholders: list[PartyRef] | None = Field(default=None, max_length=20)


class AssignmentIn(Input):
    reviewer_id: int | None = None
    auto: bool = False
    due_on: date | None = None

    @model_validator(mode="after")
    def _one_way(self) -> AssignmentIn:
        if (self.reviewer_id is None) == (not self.auto):
            raise ValueError("give either reviewer_id or auto: true")
        return self


class DeclarationIn(Input):
    conflict: bool
    kind: ConflictKind | None = None
    reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _conflict_needs_kind_and_reason(self) -> DeclarationIn:
        if self.conflict and (self.kind is None or not self.reason):
            raise ValueError("a conflict needs a kind and a reason")
        return self


# One score from 1 to 5 per criterion of the application's rubric version (the service checks
# the keys against it).
Scores = Annotated[
    dict[Annotated[str, StringConstraints(max_length=40)], Annotated[int, Field(ge=1, le=5)]],
    Field(max_length=12),
]


class ReviewIn(Input):
    scores: Scores
    comment: str = Field(default="", max_length=10_000)
    recommendation: Recommendation


class DecisionIn(Input):
    decision: Literal["approved", "rejected", "changes_requested"]
    reason: str = Field(min_length=1, max_length=5000)
    reason_codes: list[Literal["innovation", "team", "market", "cluster_fit", "other"]] = Field(
        default_factory=list, max_length=5
    )


class AppealIn(Input):
    statement: str = Field(min_length=1, max_length=10_000)


class ResponseRequestIn(Input):
    questions: str = Field(min_length=1, max_length=5000)


class ResponseIn(Input):
    text: str = Field(min_length=1, max_length=10_000)


class DiscussionPostIn(Input):
    text: str = Field(min_length=1, max_length=5000)  # discussion.POST_LENGTH


class DiscussionPostOut(Output):
    id: int
    author_id: int | None
    author_name: str | None
    text: str
    created_at: datetime


class ResponseRequestOut(Output):
    """The chair's questions and the applicant's answer (null until given); nobody is named."""

    id: int
    questions: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


class AttachmentOut(Output):
    id: int
    filename: str
    size: int
    created_at: datetime
    kind: str
    url: str


class EventOut(Output):
    status: ApplicationStatus
    at: datetime


class AssignmentOut(Output):
    id: int
    reviewer_id: int
    reviewer_name: str
    round: int
    due_on: date | None
    declared: bool
    conflict: bool | None
    conflict_kind: ConflictKind | None
    review_submitted: bool


class AggregateOut(Output):
    reviews: int
    quorum: int
    weighted_mean: float | None
    # The mean of the reviews normalised against each reviewer's history (`calibration`).
    normalised_mean: float | None
    median: float | None
    disagreement: float | None
    high_disagreement: bool


class ApplicationOut(Output):
    """What the applicant sees; reviewer identities and scores are never part of it.
    `api.application_out` writes these fields (and those of `CommitteeApplicationOut`) as plain
    values without building the model, which lists would pay per row; the tests hold its output
    to these models."""

    id: int
    organisation_id: int
    organisation_name: str
    status: ApplicationStatus
    track: Track
    summary: str
    innovation: str
    market: str
    team: str
    funding_needs: str
    decision_reason: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    appealed_at: datetime | None
    can_appeal: bool
    membership_number: str | None
    competitors: list[str]
    shareholders: list[str]
    attachments: list[AttachmentOut]
    timeline: list[EventOut]
    response_requests: list[ResponseRequestOut]


class CommitteeApplicationOut(ApplicationOut):
    """The committee's view adds the review work (never sent to the applicant)."""

    review_round: int
    assignments: list[AssignmentOut]
    aggregate: AggregateOut | None


class ReviewOut(Output):
    id: int
    reviewer_id: int
    reviewer_name: str
    round: int
    scores: dict[str, int]
    weighted_score: float
    rubric_version: int
    comment: str
    recommendation: Recommendation
    submitted_at: datetime
    updated_at: datetime
    versions: int


class MemberOut(Output):
    organisation_id: int
    name: str
    number: str
    since: date
    status: str
    sector: str
    region: str
    tier: Tier


class MembershipStatusIn(Input):
    reason: str | None = Field(default=None, max_length=2000)


class ListingIn(Input):
    listed: bool


class MembershipOut(Output):
    id: int
    organisation_id: int
    organisation_name: str
    number: str
    since: date
    expires_on: date
    status: str
    status_reason: str | None
    listed: bool
    verify_url: str


# --- Expertise, bids, automatic assignment -------------------------------------------------------


class ExpertiseIn(Input):
    sectors: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=20
    )
    topics: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=40
    )


class ExpertiseOut(Output):
    sectors: list[str]
    topics: list[str]


class BidIn(Input):
    interest: BidInterest


class BidOut(Output):
    application_id: int
    interest: BidInterest


class OpenApplicationOut(Output):
    """An application open for bids as the committee sees it before assignment: its summary
    only, no documents and no applicant's personal data."""

    id: int
    organisation_name: str
    sector: str
    summary: str
    submitted_at: datetime | None
    interest: BidInterest | None


class AutoAssignIn(Input):
    application_ids: list[int] | None = Field(default=None, min_length=1, max_length=1000)
    per_application: int = Field(default=3, ge=1, le=10)
    due_on: date | None = None


class PairOut(Output):
    application_id: int
    reviewer_id: int


class UnfilledOut(Output):
    application_id: int
    reason: str
    missing: int
    detail: str


class AutoAssignOut(Output):
    assignments: list[PairOut]
    objective: float
    bound: float
    optimal: bool
    unfilled: list[UnfilledOut]


class CriterionIn(Input):
    """One criterion of the rubric; `rubric.criteria_problems` checks them together (422)."""

    key: str = Field(max_length=100)
    label: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    weight: float
    description: str = Field(default="", max_length=2000)


class CriterionOut(Output):
    key: str
    label: str
    label_en: str
    weight: float
    description: str


class RubricOut(Output):
    """The current criteria of a track (`items`), with the version that holds them (null before
    any is stored) and the track it belongs to (incubation follows membership until it has its
    own)."""

    items: list[CriterionOut]
    total: int
    version: int | None
    track: Track
    created_at: datetime | None
