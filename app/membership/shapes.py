"""What the membership rules read of an application, an assignment, a review and a membership:
small protocols that a loaded ORM entity and a list's card (`reading.Card`) both satisfy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from app.accounts.models import PersonRole
from app.membership.models import ApplicationStatus, MembershipStatus, PartyRelation


class Scored(Protocol):
    """A submitted review."""

    @property
    def scores(self) -> dict[str, int]: ...
    @property
    def weighted_score(self) -> float: ...
    @property
    def weights(self) -> dict[str, float]: ...


class ReviewerSlot(Protocol):
    """What the rules read of an assignment."""

    @property
    def reviewer_id(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def due_on(self) -> date | None: ...
    @property
    def declared(self) -> bool: ...
    @property
    def conflict(self) -> bool | None: ...
    @property
    def review(self) -> Scored | None: ...


SlotT = TypeVar("SlotT", bound=ReviewerSlot)
SlotT_co = TypeVar("SlotT_co", bound=ReviewerSlot, covariant=True)


class Reviewable(Protocol[SlotT_co]):
    """What the rules read of an application."""

    @property
    def organisation_id(self) -> int: ...
    @property
    def applicant_id(self) -> int | None: ...
    @property
    def review_round(self) -> int: ...
    @property
    def assignments(self) -> Sequence[SlotT_co]: ...


class NamedParty(Protocol):
    """An organisation the applicant named as a competitor or shareholder."""

    @property
    def relation(self) -> PartyRelation: ...
    @property
    def inn(self) -> str: ...
    @property
    def organisation_id(self) -> int | None: ...


class Appealable(Protocol):
    """What the appeal rules read of an application."""

    @property
    def status(self) -> ApplicationStatus: ...
    @property
    def decided_at(self) -> datetime | None: ...
    @property
    def appealed_at(self) -> datetime | None: ...


class Stateful(Reviewable[SlotT_co], Appealable, Protocol[SlotT_co]):
    """An application with its state."""


class Decidable(Stateful[SlotT_co], Protocol[SlotT_co]):
    """What the decision rules read of an application besides its review and state."""

    @property
    def parties(self) -> Sequence[NamedParty]: ...
    @property
    def applicant_people(self) -> Sequence[NamedPerson]: ...


class HeldMembership(Protocol):
    """What the rules read of a membership."""

    @property
    def organisation_id(self) -> int: ...
    @property
    def status(self) -> MembershipStatus: ...


class NamedPerson(Protocol):
    """What the rules read of a person an organisation lists (founder, director...)."""

    @property
    def full_name(self) -> str: ...
    @property
    def inn(self) -> str: ...
    @property
    def role(self) -> PersonRole: ...
