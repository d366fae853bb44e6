"""The report as a CSV file that Excel opens with Russian text intact."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from app.i18n import N_, gettext
from app.reports.schemas import STAGES, CalibrationOut, FunnelRow, KpisOut
from app.spreadsheets import text_cell
from app.vocab import sector_label

STAGE_LABELS = {
    "applied": N_("Applied"),
    "approved": N_("Approved for membership"),
    "trained": N_("Completed investor readiness"),
    "met_investor": N_("Met an investor"),
    "funded": N_("Received an investment"),
}

Cell = str | int | float | None


def stage_label(stage: str) -> str:
    return gettext(STAGE_LABELS[stage])


def report_rows(report: KpisOut) -> list[tuple[str, str, str, Cell]]:
    """(section, group, indicator, value) for every figure of the report."""
    rows: list[tuple[str, str, str, Cell]] = []
    funnel = gettext("Funnel")
    for stage in report.funnel:
        rows.append((funnel, "", stage_label(stage.stage), stage.count))
    for stage in report.funnel[1:]:
        indicator = gettext("Conversion to “%(stage)s”", stage=stage_label(stage.stage))
        rows.append((funnel, "", indicator, stage.conversion))

    def groups(section: str, items: list[FunnelRow], label: Callable[[str], str]) -> None:
        for row in items:
            name = label(row.group)
            for stage in STAGES:
                rows.append((section, name, stage_label(stage), getattr(row, stage)))

    groups(gettext("Funnel by region"), report.funnel_by_region, str)
    groups(gettext("Funnel by sector"), report.funnel_by_sector, sector_label)

    decisions = gettext("Committee decisions")
    ttd, dec = report.time_to_decision, report.decisions
    rows += [
        (decisions, "", gettext("Decided applications"), ttd.decided),
        (decisions, "", gettext("Time to decision, median (days)"), ttd.median_days),
        (decisions, "", gettext("Time to decision, 90th percentile (days)"), ttd.p90_days),
        (decisions, "", gettext("Approved applications"), dec.approved),
        (decisions, "", gettext("Rejected applications"), dec.rejected),
        (decisions, "", gettext("Approval rate"), dec.approval_rate),
    ]
    reviewing = gettext("Reviewing")
    for load in report.reviews.open_by_reviewer:
        rows.append((reviewing, load.full_name, gettext("Open reviews"), load.open_reviews))
    rows.append((reviewing, "", gettext("Committee mean score"), report.reviews.committee_mean))
    for cal in report.reviews.calibration:
        rows += [
            (reviewing, cal.full_name, gettext("Reviews"), cal.reviews),
            (reviewing, cal.full_name, gettext("Mean score"), cal.mean_score),
            (
                reviewing,
                cal.full_name,
                gettext("Difference from the committee mean"),
                cal.difference,
            ),
        ]
    tr = report.training
    training = gettext("Training")
    rows += [
        (training, "", gettext("Sessions"), tr.sessions),
        (training, "", gettext("Seats offered"), tr.capacity),
        (training, "", gettext("Seats taken"), tr.seats_taken),
        (training, "", gettext("Fill rate"), tr.fill_rate),
        (training, "", gettext("Waitlist length"), tr.waitlist_length),
        (training, "", gettext("No-show rate"), tr.no_show_rate),
    ]
    mt = report.meetings
    meetings = gettext("Investor meetings")
    rows += [
        (meetings, "", gettext("Investors"), mt.investors),
        (meetings, "", gettext("Meetings"), mt.meetings),
        (meetings, "", gettext("Meetings per investor"), mt.meetings_per_investor),
        (meetings, "", gettext("Meeting requests"), mt.requests),
        (meetings, "", gettext("Acceptance rate of requests"), mt.acceptance_rate),
    ]
    it = report.introductions
    intros = gettext("Introductions")
    rows += [
        (intros, "", gettext("Introductions requested"), it.requested),
        (intros, "", gettext("Forwarded to partners"), it.forwarded),
        (intros, "", gettext("Accepted by partners"), it.accepted),
        (intros, "", gettext("With an outcome"), it.with_outcome),
    ]
    money = gettext("Private investment")
    for month in report.investment.by_month:
        rows.append((money, month.month, gettext("Amount, RUB"), month.amount_rub))
    rows.append((money, "", gettext("Total, RUB"), report.investment.total_rub))
    return rows


def to_csv(report: KpisOut, *, semicolon: bool) -> str:
    """UTF-8 with a byte-order mark (Excel otherwise guesses a Windows code page). With `;` as
    the separator — what Russian Excel expects — decimals are written with a comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow([gettext("Section"), gettext("Group"), gettext("Indicator"), gettext("Value")])
    for section, group, indicator, value in report_rows(report):
        writer.writerow(
            [text_cell(section), text_cell(group), text_cell(indicator), cell(value, semicolon)]
        )
    return "\ufeff" + buffer.getvalue()


def cell(value: Cell, semicolon: bool) -> str:
    """A value as a CSV cell; decimals with a comma under `;` separators."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",") if semicolon else f"{value:g}"
    if isinstance(value, int):
        return str(value)
    return text_cell(value)


def calibration_label(label: str) -> str:
    return gettext(CALIBRATION_LABELS[label])


CALIBRATION_LABELS = {
    "harsh": N_("Harsh"),
    "lenient": N_("Lenient"),
    "in_line": N_("In line"),
}


def calibration_csv(report: CalibrationOut, *, semicolon: bool) -> str:
    """The calibration of reviewers, one row per reviewer, as `to_csv` writes files."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow(
        [
            gettext("Reviewer"),
            gettext("Reviews"),
            gettext("Shared applications"),
            gettext("Mean difference"),
            gettext("Effect size"),
            gettext("Assessment"),
        ]
    )
    for row in report.reviewers:
        values: list[Cell] = [
            row.full_name,
            row.reviews,
            row.shared_applications,
            row.difference,
            row.effect_size,
            calibration_label(row.label),
        ]
        writer.writerow([cell(value, semicolon) for value in values])
    return "\ufeff" + buffer.getvalue()
