"""Request and response bodies of the events API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from app.bilingual import Translations, checked
from app.events.models import Event, EventKind, RegistrationStatus
from app.schemas import Input, Output

EventTranslations = Annotated[Translations, checked(Event.__translatable__)]


class EventIn(Input):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    language: Literal["ru", "en"] = "ru"
    kind: EventKind
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str = Field(min_length=1, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    members_only: bool = False
    translations: EventTranslations = Field(default_factory=dict)


class EventUpdateIn(Input):
    """Only the fields sent change; `capacity: null` lifts the limit."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    kind: EventKind | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: str | None = Field(default=None, min_length=1, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    members_only: bool | None = None
    translations: EventTranslations | None = None


class EventOut(Output):
    id: int
    title: str
    description: str
    language: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    location: str
    capacity: int | None
    members_only: bool
    translations: Translations
    registered: int
    seats_left: int | None
    waitlist_length: int


class RegistrationOut(Output):
    id: int
    event_id: int
    user_id: int
    status: RegistrationStatus
    position: int | None
    attended: bool | None


class ParticipantOut(RegistrationOut):
    full_name: str
    email: str


class AttendanceIn(Input):
    user_id: int = Field(ge=1)
    attended: bool
