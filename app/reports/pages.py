"""HTML pages: the staff dashboard /reports (filters, charts, tables, CSV export), the
calibration of reviewers /reports/calibration (chair, staff) and the public "cluster in numbers"
/numbers."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from app.accounts.deps import CurrentUser
from app.db import utcnow
from app.deps import SessionDep
from app.errors import FieldError
from app.formatting import format_number, format_percent
from app.i18n import get_timezone, gettext
from app.reports import charts, indicators, policies, service
from app.reports.api import YearQuery, calibration_out, indicator_file, this_year
from app.reports.export import calibration_csv, calibration_label, stage_label, to_csv
from app.reports.filters import parse_filters
from app.reports.schemas import STAGES, Filters, FunnelRow, KpisOut
from app.vocab import Sector, sector_label
from app.web import render_page

router = APIRouter(include_in_schema=False)


def _group_chart(name: str, title: str, rows: list[FunnelRow], label: Any) -> Markup:
    return charts.bar_chart(
        name,
        title,
        [label(row.group) for row in rows],
        [(stage_label(stage), [getattr(row, stage) for row in rows]) for stage in STAGES],
        integers=True,
    )


def _charts(report: KpisOut) -> dict[str, Markup]:
    calibration = report.reviews.calibration
    return {
        "funnel": charts.bar_chart(
            "funnel",
            gettext("Funnel: organisations at each stage"),
            [stage_label(s.stage) for s in report.funnel],
            [(gettext("Organisations"), [s.count for s in report.funnel])],
            horizontal=True,
            integers=True,
        ),
        "by_region": _group_chart(
            "by-region", gettext("Funnel by region"), report.funnel_by_region, str
        ),
        "by_sector": _group_chart(
            "by-sector", gettext("Funnel by sector"), report.funnel_by_sector, sector_label
        ),
        "investment": charts.bar_chart(
            "investment",
            gettext("Private investment attracted, RUB by month"),
            [m.month for m in report.investment.by_month],
            [(gettext("Amount, RUB"), [m.amount_rub for m in report.investment.by_month])],
        ),
        "calibration": charts.bar_chart(
            "calibration",
            gettext("Reviewers' mean score against the committee mean"),
            [c.full_name for c in calibration],
            [
                (gettext("Mean score"), [c.mean_score for c in calibration]),
                (
                    gettext("Committee mean score"),
                    [report.reviews.committee_mean for _ in calibration],
                ),
            ],
            horizontal=True,
        ),
    }


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, 1)


def number(value: float | int | None, digits: int | None = None) -> str:
    return "—" if value is None else format_number(value, digits)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    sector: Annotated[str | None, Query(max_length=40)] = None,
    format: Literal["html", "csv"] = "html",
    sep: Literal["comma", "semicolon"] = "comma",
) -> Response:
    """The dashboard for staff; `?format=csv` downloads the same figures (`&sep=semicolon` for
    Excel with Russian settings)."""
    values = {
        "from": date_from or "",
        "to": date_to or "",
        "region": region or "",
        "sector": sector or "",
    }
    errors: dict[str, str] = {}
    try:
        filters = parse_filters(date_from, date_to, region, sector)
    except FieldError as exc:
        if format == "csv":
            raise
        errors[exc.field] = exc.detail
        filters = Filters()
    report = service.kpis(session, actor=user, filters=filters, tz=get_timezone())
    if format == "csv":
        return Response(
            to_csv(report, semicolon=sep == "semicolon"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="cluster-report.csv"'},
        )
    query = urlencode({key: value for key, value in values.items() if value})
    return render_page(
        request,
        "reports/dashboard.html",
        {
            "report": report,
            "charts": _charts(report),
            "values": values,
            "errors": errors,
            "region_choices": [(name, name) for name in service.regions(session)],
            "identity": str,
            "sectors": Sector.choices(),
            "sector_label": sector_label,
            "stage_label": stage_label,
            "stages": STAGES,
            "percent": percent,
            "number": number,
            "csv_query": query,
            "sees_reviewers": policies.sees_reviewers(user),
        },
        status_code=422 if errors else 200,
    )


@router.get("/numbers", response_class=HTMLResponse)
def numbers_page(request: Request, session: SessionDep) -> Response:
    """Public aggregates: no region, sector or total of fewer than the minimum group size."""
    numbers = service.public_numbers(session)
    funnel_chart = None
    if numbers.total is not None:
        funnel_chart = charts.bar_chart(
            "public-funnel",
            gettext("From application to investment"),
            [stage_label(stage) for stage in STAGES],
            [(gettext("Organisations"), numbers.total.values())],
            horizontal=True,
            integers=True,
        )
    return render_page(
        request,
        "reports/numbers.html",
        {
            "numbers": numbers,
            "funnel_chart": funnel_chart,
            "stages": STAGES,
            "stage_label": stage_label,
            "sector_label": sector_label,
            "identity": str,
            "number": number,
        },
    )


@router.get("/reports/annual", response_class=HTMLResponse)
def annual_report(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    year: YearQuery = None,
    format: Literal["html", "csv", "xlsx"] = "html",
) -> Response:
    """The region's annual report, printable: every indicator with the records it comes from;
    `?format=csv|xlsx` downloads the same figures."""
    chosen = year or this_year()
    items = indicators.compute(session, actor=user, year=chosen, tz=get_timezone())
    if format != "html":
        return indicator_file(chosen, items, format)
    current = this_year()
    return render_page(
        request,
        "reports/annual.html",
        {
            "year": chosen,
            "items": items,
            "years": list(range(current, current - 6, -1)),
            "unit_label": indicators.unit_label,
            "zone": get_timezone().key,
            "generated": utcnow(),
        },
    )


@router.get("/reports/calibration", response_class=HTMLResponse)
def calibration_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    format: Literal["html", "csv"] = "html",
    sep: Literal["comma", "semicolon"] = "comma",
) -> Response:
    """Each reviewer against the others on the same applications (chair, staff); `?format=csv`
    downloads the table."""
    report = calibration_out(session, user)
    if format == "csv":
        return Response(
            calibration_csv(report, semicolon=sep == "semicolon"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="reviewer-calibration.csv"'},
        )
    return render_page(
        request,
        "reports/calibration.html",
        {"report": report, "label": calibration_label},
    )
