"""Request and response bodies of the meetings API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, HttpUrl, UrlConstraints

from app.bilingual import Translations, checked
from app.i18n import DEFAULT_TIMEZONE
from app.meetings.models import InvestorProfile, PitchDay
from app.schemas import Input, Output

ProfileTranslations = Annotated[Translations, checked(InvestorProfile.__translatable__)]
PitchDayTranslations = Annotated[Translations, checked(PitchDay.__translatable__)]


class InvestorProfileIn(Input):
    sectors: list[str] = Field(default_factory=list, max_length=20)
    stages: list[str] = Field(default_factory=list, max_length=10)
    ticket_min_rub: int | None = Field(default=None, ge=0, le=10**15)
    ticket_max_rub: int | None = Field(default=None, ge=0, le=10**15)
    thesis: str = Field(default="", max_length=5000)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    # left out: the profile keeps its translations
    translations: ProfileTranslations | None = None


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


VideoUrl = Annotated[HttpUrl, UrlConstraints(max_length=500, allowed_schemes=["https"])]


class MeetingDetailsIn(Input):
    """Where the meeting takes place: an address or room, and/or an https video link."""

    location: str | None = Field(default=None, max_length=300)
    video_url: VideoUrl | None = None

    def details(self) -> dict[str, str | None]:
        """The fields given, as stored (a field not sent keeps its value)."""
        values = {"location": self.location or None, "video_url": self.video_url}
        return {
            name: str(value) if value is not None else None
            for name, value in values.items()
            if name in self.model_fields_set
        }


class AcceptIn(MeetingDetailsIn):
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
    location: str | None = None
    video_url: str | None = None
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
    name: str = Field(default="", max_length=200)
    venue: str = Field(default="", max_length=300)
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)
    registration_closes_at: AwareDatetime | None = None
    translations: PitchDayTranslations = Field(default_factory=dict)


class PitchDayForm(Input):
    """The staff's form: a regular grid of slots from the first start, times local to the venue
    (`timezone`); the registration deadline is typed in the same local time."""

    name: str = Field(min_length=1, max_length=200)
    venue: str = Field(min_length=1, max_length=300)
    timezone: str = Field(min_length=1, max_length=64)
    date: dt.date
    first_slot: dt.time
    slot_count: int = Field(ge=1, le=100)
    slot_minutes: int = Field(ge=5, le=240)
    break_minutes: int = Field(default=0, ge=0, le=240)
    tables: int = Field(ge=1, le=500)
    registration_closes_at: dt.datetime | None = None
    translations: PitchDayTranslations = Field(default_factory=dict)


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
