"""The report's filters from the query string, shared by the JSON route and the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from app.errors import FieldError
from app.i18n import gettext
from app.reports.schemas import Filters
from app.vocab import sector_slugs


def _day(field: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(field, gettext("Enter a valid date."), location="query") from None


def parse_filters(
    date_from: str | None, date_to: str | None, region: str | None, sector: str | None
) -> Filters:
    """Empty values mean "any"; a bad date, an unknown sector or a period that ends before it
    starts is a 422 naming the field."""
    start, end = _day("from", date_from), _day("to", date_to)
    if start and end and end < start:
        raise FieldError(
            "to", gettext("The end of the period is before its start."), location="query"
        )
    region = (region or "").strip() or None
    sector = (sector or "").strip() or None
    if sector is not None and sector not in sector_slugs():
        raise FieldError("sector", gettext("Choose one of the options."), location="query")
    return Filters(date_from=start, date_to=end, region=region, sector=sector)


def filters_query(
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    sector: Annotated[str | None, Query(max_length=40)] = None,
) -> Filters:
    return parse_filters(date_from, date_to, region, sector)
