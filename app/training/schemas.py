"""Request and response bodies of the training API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, HttpUrl, UrlConstraints, model_validator

from app.bilingual import Translations, checked
from app.schemas import Input, Output
from app.training.models import CompletionRule, Course, EnrolmentStatus, TrainingSession

OnlineUrl = Annotated[HttpUrl, UrlConstraints(max_length=500)]
CourseTranslations = Annotated[Translations, checked(Course.__translatable__)]
SessionTranslations = Annotated[Translations, checked(TrainingSession.__translatable__)]


class CourseIn(Input):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    language: Literal["ru", "en"] = "ru"
    members_only: bool = False
    investor_readiness: bool = False
    completion_rule: CompletionRule = CompletionRule.all_sessions
    min_sessions: int | None = Field(default=None, ge=1, le=1000)
    translations: CourseTranslations = Field(default_factory=dict)

    @model_validator(mode="after")
    def _rule_needs_number(self) -> CourseIn:
        if self.completion_rule == CompletionRule.at_least and self.min_sessions is None:
            raise ValueError("min_sessions is required when completion_rule is at_least")
        return self


class CourseOut(Output):
    id: int
    title: str
    description: str
    language: str
    members_only: bool
    investor_readiness: bool
    completion_rule: CompletionRule
    min_sessions: int | None
    translations: Translations
    created_at: datetime


class SessionIn(Input):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=100_000)
    location: str | None = Field(default=None, max_length=300)
    online_url: OnlineUrl | None = None
    company_cap: int | None = Field(default=None, ge=1, le=100_000)
    translations: SessionTranslations = Field(default_factory=dict)


class SessionUpdateIn(Input):
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    location: str | None = Field(default=None, max_length=300)
    online_url: OnlineUrl | None = None
    company_cap: int | None = Field(default=None, ge=1, le=100_000)
    translations: SessionTranslations | None = None


class SessionOut(Output):
    id: int
    course_id: int
    course_title: str
    members_only: bool
    starts_at: datetime
    ends_at: datetime
    capacity: int
    location: str | None
    online_url: str | None
    company_cap: int | None
    translations: Translations
    enrolled: int
    seats_left: int
    waitlist_length: int


class CourseDetailOut(CourseOut):
    sessions: list[SessionOut]


class EnrolmentIn(Input):
    user_id: int | None = Field(default=None, ge=1)


class EnrolmentOut(Output):
    id: int
    session_id: int
    user_id: int
    status: EnrolmentStatus
    position: int | None
    attended: bool | None


class EnrolmentRowOut(EnrolmentOut):
    full_name: str
    email: str
    organisation_id: int | None


class AttendanceIn(Input):
    user_id: int = Field(ge=1)
    attended: bool


class CertificateOut(Output):
    id: int
    course_id: int
    user_id: int
    number: str
    verify_code: str
    verify_url: str
    issued_at: datetime
    status: Literal["valid", "revoked"]
    revoked_at: datetime | None


class AttendanceOut(EnrolmentOut):
    completed: bool
    certificate: CertificateOut | None


class CalendarFeedOut(Output):
    url: str
