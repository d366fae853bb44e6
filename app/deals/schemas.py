"""Request and response bodies of deals."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.deals.models import DealSource, DealStatus, Instrument
from app.introductions.schemas import StoryOut
from app.schemas import Input


class DealIn(Input):
    organisation_id: int = Field(ge=1, le=2**31 - 1)
    amount_rub: int = Field(gt=0, le=10**15)
    instrument: Instrument
    closed_on: date
    investor_organisation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    investor_name: str | None = Field(default=None, max_length=200)
    source: DealSource
    source_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class DealOut(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    amount_rub: int
    instrument: Instrument
    closed_on: date
    investor_organisation_id: int | None
    investor_name: str | None
    source: DealSource
    source_id: int | None
    status: DealStatus
    created_at: datetime
    confirmed_at: datetime | None
    story_id: int | None


class DealStoryOut(StoryOut):
    """A success story drafted from a deal: the story as /api/v1/success-stories shows it."""

    deal_id: int
