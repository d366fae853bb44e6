"""Request and response bodies of the mentoring API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from app.mentoring.models import MentorshipStatus
from app.schemas import Input, Output


class MentorshipIn(Input):
    organisation_id: int
    mentor_id: int


class MentoringSessionIn(Input):
    held_on: date
    minutes: int = Field(gt=0, le=24 * 60)
    notes: str | None = Field(default="", max_length=10_000)


class MentoringSessionOut(Output):
    id: int
    mentorship_id: int
    held_on: date
    minutes: int
    notes: str
    created_at: datetime


class MentorshipOut(Output):
    id: int
    organisation_id: int
    organisation_name: str
    mentor_id: int
    mentor_name: str
    status: MentorshipStatus
    created_at: datetime
    sessions_count: int = 0
    minutes_total: int = 0
