"""JSON routes: /api/v1/reports/kpis and /api/v1/reports/indicators (staff, observer), and
/api/v1/reports/calibration (chair, staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.deps import SessionDep
from app.i18n import get_timezone
from app.membership import calibration
from app.reports import annual, indicators, service
from app.reports.filters import filters_query
from app.reports.schemas import (
    CalibrationOut,
    Filters,
    IndicatorOut,
    IndicatorsOut,
    KpisOut,
    ReviewerCalibrationOut,
)

router = APIRouter(prefix="/api/v1", tags=["reports"])

YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year")]


@router.get("/reports/kpis", response_model=KpisOut)
def get_kpis(
    user: CurrentUser, session: SessionDep, filters: Annotated[Filters, Depends(filters_query)]
) -> KpisOut:
    """The funnel (applied → approved → trained → met investor → funded) overall, by region and
    by sector, and the KPIs, for `?from=&to=&region=&sector=`. Only confirmed deals count as
    funded and as investment."""
    return service.kpis(session, actor=user, filters=filters, tz=get_timezone())


def this_year() -> int:
    return datetime.now(get_timezone()).year


def indicator_file(year: int, items: list[indicators.IndicatorValue], format: str) -> Response:
    name = f"cluster-indicators-{year}"
    if format == "xlsx":
        return Response(
            annual.to_xlsx(year, items),
            media_type=annual.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        annual.to_csv(year, items),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/reports/indicators",
    response_model=IndicatorsOut,
    responses={200: {"content": {"text/csv": {}, annual.XLSX_MEDIA_TYPE: {}}}},
)
def get_indicators(
    user: CurrentUser,
    session: SessionDep,
    year: YearQuery = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> IndicatorsOut | Response:
    """The region's annual indicators, each with the records it is computed from;
    `&format=csv` or `&format=xlsx` downloads them."""
    chosen = year or this_year()
    items = indicators.compute(session, actor=user, year=chosen, tz=get_timezone())
    if format != "json":
        return indicator_file(chosen, items, format)
    return IndicatorsOut(
        year=chosen, items=[IndicatorOut.model_validate(vars(item)) for item in items]
    )


def calibration_out(session: Session, user: User) -> CalibrationOut:
    report = calibration.calibration_report(session, actor=user)
    return CalibrationOut(
        committee_mean=report.committee_mean,
        committee_sd=report.committee_sd,
        prior_reviews=report.prior_reviews,
        min_shared_applications=report.min_shared,
        effect_threshold=report.threshold,
        reviewers=[
            ReviewerCalibrationOut(
                reviewer_id=row.reviewer_id,
                full_name=row.full_name,
                reviews=row.reviews,
                shared_applications=row.shared,
                difference=row.difference,
                effect_size=row.effect_size,
                label=row.label,
            )
            for row in report.reviewers
        ],
    )


@router.get("/reports/calibration", response_model=CalibrationOut)
def get_calibration(user: CurrentUser, session: SessionDep) -> CalibrationOut:
    """How each reviewer scores against the other reviewers of the same applications: the mean
    difference, the number of shared applications, the effect size and harsh / lenient /
    in line (chair, staff)."""
    return calibration_out(session, user)
