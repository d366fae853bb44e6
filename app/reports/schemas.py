"""The report's figures as JSON, and its filters."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

STAGES = ("applied", "approved", "trained", "met_investor", "funded")


class Filters(BaseModel):
    """Period (`from`/`to`, inclusive days in the viewer's time zone) applies to each figure's own
    date: the application's submission for the funnel and decisions, the session's start, the
    request's or introduction's creation, the outcome's record. Region and sector select
    organisations."""

    date_from: date | None = None
    date_to: date | None = None
    region: str | None = None
    sector: str | None = None


class FiltersOut(BaseModel):
    date_from: date | None
    date_to: date | None
    region: str | None
    sector: str | None


class StageOut(BaseModel):
    stage: str
    count: int
    conversion: float | None  # from the previous stage; None for the first or after zero
    overall: float | None  # from "applied"


class FunnelRow(BaseModel):
    """One group's funnel: `group` is a region or a sector slug."""

    group: str
    applied: int
    approved: int
    trained: int
    met_investor: int
    funded: int


class TimeToDecisionOut(BaseModel):
    decided: int
    median_days: float | None
    p90_days: float | None


class DecisionsOut(BaseModel):
    approved: int
    rejected: int
    approval_rate: float | None


class ReviewerLoad(BaseModel):
    reviewer_id: int
    full_name: str
    open_reviews: int


class ReviewerCalibration(BaseModel):
    reviewer_id: int
    full_name: str
    reviews: int
    mean_score: float
    difference: float  # reviewer's mean minus the committee mean


class ReviewsOut(BaseModel):
    open_by_reviewer: list[ReviewerLoad]
    committee_mean: float | None
    calibration: list[ReviewerCalibration]


class TrainingOut(BaseModel):
    sessions: int
    capacity: int
    seats_taken: int
    fill_rate: float | None
    waitlist_length: int
    attendance_marked: int
    no_shows: int
    no_show_rate: float | None


class MeetingsOut(BaseModel):
    investors: int
    meetings: int
    meetings_per_investor: float | None
    requests: int
    requests_accepted: int
    requests_declined: int
    requests_expired: int
    acceptance_rate: float | None


class IntroductionsOut(BaseModel):
    requested: int
    forwarded: int
    accepted: int
    with_outcome: int


class MonthAmount(BaseModel):
    month: str  # YYYY-MM
    deals: int
    amount_rub: int


class InvestmentOut(BaseModel):
    total_rub: int
    deals: int
    by_month: list[MonthAmount]


class KpisOut(BaseModel):
    filters: FiltersOut
    funnel: list[StageOut]
    funnel_by_region: list[FunnelRow]
    funnel_by_sector: list[FunnelRow]
    time_to_decision: TimeToDecisionOut
    decisions: DecisionsOut
    reviews: ReviewsOut
    training: TrainingOut
    meetings: MeetingsOut
    introductions: IntroductionsOut
    investment: InvestmentOut


class IndicatorOut(BaseModel):
    code: str
    name: str
    value: int | float | None
    unit: str  # organisations, percent, days, people, count, rub
    source: str  # which records the value is computed from


class IndicatorsOut(BaseModel):
    year: int
    items: list[IndicatorOut]


class ReviewerCalibrationOut(BaseModel):
    reviewer_id: int
    full_name: str
    reviews: int  # counted reviews in all
    shared_applications: int  # applications reviewed together with others
    difference: float  # mean of (own score − the other reviewers' mean) on those applications
    effect_size: float  # difference / the committee's standard deviation of scores
    label: Literal["harsh", "lenient", "in_line"]


class CalibrationOut(BaseModel):
    """`membership.calibration` describes the method."""

    committee_mean: float | None
    committee_sd: float | None
    prior_reviews: int
    min_shared_applications: int
    effect_threshold: float
    reviewers: list[ReviewerCalibrationOut]
