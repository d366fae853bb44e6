"""The region's indicators as files: CSV (UTF-8 with a byte-order mark) and XLSX."""

from __future__ import annotations

import csv
import io

from app.i18n import gettext
from app.reports.indicators import IndicatorValue, unit_label
from app.spreadsheets import text_cell

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _headers() -> list[str]:
    return [
        gettext("Code"),
        gettext("Indicator"),
        gettext("Value"),
        gettext("Unit"),
        gettext("Source"),
    ]


def to_csv(year: int, items: list[IndicatorValue], *, semicolon: bool = False) -> str:
    """One row per indicator; an empty value where there is nothing to compute it from. With
    `;` as the separator (Russian Excel) decimals are written with a comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow([gettext("Year"), str(year), "", "", ""])
    writer.writerow(_headers())
    for item in items:
        if item.value is None:
            shown = ""
        elif isinstance(item.value, float):
            shown = f"{item.value:g}".replace(".", ",") if semicolon else f"{item.value:g}"
        else:
            shown = str(item.value)
        writer.writerow(
            [
                item.code,
                text_cell(item.name),
                shown,
                text_cell(unit_label(item.unit)),
                text_cell(item.source),
            ]
        )
    return "\ufeff" + buffer.getvalue()


def to_xlsx(year: int, items: list[IndicatorValue]) -> bytes:
    """A workbook with one sheet; values are numbers, so the spreadsheet can sum and chart them.
    Text cells are strings (openpyxl never turns them into formulas once typed as strings, and a
    leading = is neutralised as in the CSV)."""
    from openpyxl import Workbook  # loaded with the first download, not with every process
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(year)
    sheet.append([gettext("Cluster indicators for %(year)s", year=year)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for item in items:
        sheet.append(
            [
                item.code,
                text_cell(item.name),
                item.value,
                text_cell(unit_label(item.unit)),
                text_cell(item.source),
            ]
        )
    for column, width in zip("ABCDE", (26, 48, 16, 14, 90), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
