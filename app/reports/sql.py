"""Portable SQL expressions that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement[float]):
    """`end - start` in days, as a fraction."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
        " / 86400.0)"
    )


class year_month(FunctionElement[str]):
    """The UTC calendar month of a timestamp as `YYYY-MM`."""

    type = String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_pg(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


def percentile_weight(
    row_number: ColumnElement[int], count: ColumnElement[int], numerator: int, denominator: int
) -> ColumnElement[float]:
    """The weight of a row (numbered 1..count in sorted order) in the linearly interpolated
    percentile `numerator / denominator` — the definition of PostgreSQL's `percentile_cont`.

    The percentile sits at 0-based position p·(count−1) = k + f: row k+1 weighs 1−f and row k+2
    weighs f, so `SUM(value · weight)` over all rows is the percentile, in one aggregate query
    on every database (integer division and modulo behave alike on SQLite and PostgreSQL)."""
    from sqlalchemy import case, cast, literal

    scaled = (count - 1) * numerator
    k = scaled // denominator
    f = cast(scaled % denominator, Float) / float(denominator)
    index = row_number - 1
    return case(
        (index == k, literal(1.0) - f),
        (index == k + 1, f),
        else_=literal(0.0),
    )
