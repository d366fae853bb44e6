"""Request and response bodies of the meetings API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from app.schemas import Input, Output


class InvestorProfileIn(Input):
    sectors: list[str] = Field(default_factory=list, max_length=20)
    stages: list[str] = Field(default_factory=list, max_length=10)
    ticket_min_rub: int | None = Field(default=None, ge=0, le=10**15)
    ticket_max_rub: int | None = Field(default=None, ge=0, le=10**15)
    thesis: str = Field(default="", max_length=5000)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)


class AvailabilityIn(Input):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    slot_minutes: int = Field(ge=10, le=240)


class AvailabilityForm(Input):
    """Times as typed in a browser (no zone): read in the investor's own time zone."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    slot_minutes: int = Field(ge=10, le=240)


class AvailabilityOut(Output):
    """`starts_at`/`ends_at` in UTC; `local_*` the same moments in the caller's `timezone`."""

    id: int
    investor_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    slot_minutes: int
    local_starts_at: dt.datetime
    local_ends_at: dt.datetime
    timezone: str


class SlotOut(Output):
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_starts_at: dt.datetime
    local_ends_at: dt.datetime
    timezone: str


class InvestorOut(Output):
    id: int
    full_name: str
    organisation_id: int
    organisation_name: str
    sectors: list[str]
    stages: list[str]
    ticket_min_rub: int | None
    ticket_max_rub: int | None
    thesis: str
    contact: dict[str, str | None] | None = None


class RecommendationOut(InvestorOut):
    score: int
    reasons: list[str]


class MeetingRequestIn(Input):
    investor_id: int = Field(ge=1, le=2**31 - 1)
    message: str = Field(min_length=1, max_length=5000)
    organisation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    # One of the investor's free slots, held for both sides while the request is pending.
    starts_at: AwareDatetime | None = None


class MeetingRequestOut(Output):
    id: int
    investor_id: int
    organisation_id: int
    requester_id: int | None
    message: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    status: str
    reason: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    meeting_id: int | None = None
    deck: dict[str, Any] | None = None


class AcceptIn(Input):
    # Defaults to the slot the request holds.
    starts_at: AwareDatetime | None = None


class RescheduleIn(Input):
    starts_at: AwareDatetime


class DeclineIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class CancelIn(Input):
    reason: str | None = Field(default=None, max_length=2000)


class MeetingOut(Output):
    id: int
    uid: str
    request_id: int | None
    investor_id: int
    organisation_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    sequence: int
    cancel_reason: str | None
    no_show: str | None
    feedback: list[dict[str, Any]] = Field(default_factory=list)


class FeedbackIn(Input):
    rating: int = Field(ge=1, le=5)
    note: str = Field(default="", max_length=5000)
    outcome: Literal["none", "follow_up", "term_sheet", "investment"] = "none"
    amount_rub: int | None = Field(default=None, ge=1, le=10**15)


class NoShowIn(Input):
    party: Literal["investor", "organisation"]


class PitchDayIn(Input):
    date: dt.date
    slot_starts: list[dt.time] = Field(min_length=1, max_length=100)
    slot_minutes: int = Field(ge=5, le=240)
    tables: int = Field(ge=1, le=500)


class PitchParticipantIn(Input):
    organisation_id: int = Field(ge=1, le=2**31 - 1)
    slots: list[int] | None = Field(default=None, max_length=100)


class PitchWishIn(Input):
    organisation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    with_organisation_id: int = Field(ge=1, le=2**31 - 1)
    priority: int = Field(default=1, ge=1, le=10)
    no_thanks: bool = False


class LockIn(Input):
    locked: bool = True
