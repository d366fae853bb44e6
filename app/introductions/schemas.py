"""Request and response bodies of introductions, partners, outcomes and success stories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from app.bilingual import Translations, checked
from app.introductions.models import IntroductionStatus, LookingFor, OutcomeKind, PartnerProfile
from app.schemas import Input


class PartnerProfileIn(Input):
    looking_for: list[LookingFor] = Field(default_factory=list, max_length=4)
    sectors: list[str] = Field(default_factory=list, max_length=20)
    summary: str = Field(default="", max_length=5000)
    # left out: the profile keeps its translations
    translations: Annotated[Translations, checked(PartnerProfile.__translatable__)] | None = None


class PartnerOut(BaseModel):
    """A partner as members see it: the company and its wishes, never its people."""

    id: int
    name: str
    region: str
    sector: str
    website: str | None
    description: str
    looking_for: list[str]
    sectors: list[str]
    summary: str
    translations: Translations


class IntroductionIn(Input):
    partner_id: int = Field(ge=1, le=2**31 - 1)
    purpose: str = Field(min_length=1, max_length=5000)
    offer: str | None = Field(default="", max_length=5000)
    ask: str | None = Field(default="", max_length=5000)
    organisation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ReasonIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class DeclineIn(Input):
    reason: str | None = Field(default=None, max_length=2000)
    share_reason: bool = False


class OutcomeIn(Input):
    kind: OutcomeKind
    amount_rub: int | None = Field(default=None, ge=1, le=10**15)
    note: str = Field(min_length=1, max_length=5000)


class ContactOut(BaseModel):
    full_name: str
    email: str
    phone: str | None


class OrganisationRef(BaseModel):
    id: int
    name: str


class EventOut(BaseModel):
    status: IntroductionStatus
    at: datetime


class OutcomeOut(BaseModel):
    id: int
    kind: OutcomeKind
    amount_rub: int | None
    note: str
    side: str
    created_at: datetime


class IntroductionOut(BaseModel):
    id: int
    status: IntroductionStatus
    partner_id: int
    partner: OrganisationRef
    organisation: OrganisationRef
    purpose: str
    offer: str
    ask: str
    screen_out_reason: str | None
    decline_reason: str | None
    created_at: datetime
    status_changed_at: datetime
    member_contact: ContactOut | None
    partner_contact: ContactOut | None
    timeline: list[EventOut]
    outcomes: list[OutcomeOut]


class StoryTextsIn(Input):
    title_ru: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    body_ru: str = Field(min_length=1, max_length=20000)
    body_en: str = Field(min_length=1, max_length=20000)


class StoryIn(StoryTextsIn):
    outcome_id: int = Field(ge=1, le=2**31 - 1)


class StoryEditIn(Input):
    title_ru: str | None = Field(default=None, min_length=1, max_length=200)
    title_en: str | None = Field(default=None, min_length=1, max_length=200)
    body_ru: str | None = Field(default=None, min_length=1, max_length=20000)
    body_en: str | None = Field(default=None, min_length=1, max_length=20000)


class StoryOut(BaseModel):
    id: int
    outcome_id: int | None
    introduction_id: int | None
    title_ru: str
    title_en: str
    body_ru: str
    body_en: str
    member_consent: bool
    partner_consent: bool
    published: bool
    published_at: datetime | None


PROFILE_TERMS_MAX = 20
PROFILE_TERM_LENGTH = 100
ProfileTerm = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PROFILE_TERM_LENGTH)
]


def _distinct(terms: list[str]) -> list[str]:
    """Repeated terms (ignoring case and spacing) are kept once, in the order given."""
    seen: set[str] = set()
    kept = []
    for term in terms:
        term = " ".join(term.split())
        if term.casefold() not in seen:
            seen.add(term.casefold())
            kept.append(term)
    return kept


class OrganisationProfileIn(Input):
    offers: list[ProfileTerm] = Field(default_factory=list, max_length=PROFILE_TERMS_MAX)
    needs: list[ProfileTerm] = Field(default_factory=list, max_length=PROFILE_TERMS_MAX)
    technologies: list[ProfileTerm] = Field(default_factory=list, max_length=PROFILE_TERMS_MAX)

    @field_validator("offers", "needs", "technologies")
    @classmethod
    def _once_each(cls, terms: list[str]) -> list[str]:
        return _distinct(terms)


class OrganisationProfileOut(BaseModel):
    organisation_id: int
    offers: list[str]
    needs: list[str]
    technologies: list[str]


class DirectoryEntryOut(BaseModel):
    """A member organisation as other members see it: never its people or contacts."""

    organisation_id: int
    name: str
    sector: str
    region: str
    tier: str
    offers: list[str]
    needs: list[str]
    technologies: list[str]


class SuggestionOut(DirectoryEntryOut):
    reasons: list[str]
