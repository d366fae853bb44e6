"""Lists in pages: the window asked for (`Paging`, parsed once by a dependency), the rows of
that window with the total (`paginate`), and what a page shows under the list (`Pagination`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

MAX_OFFSET = 10_000_000
API_LIMIT_DEFAULT, API_LIMIT_MAX = 50, 200

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


@dataclass(frozen=True)
class Pagination:
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, paging: Paging, total: int) -> Pagination:
        return cls(total, paging.limit, paging.offset)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total

    @property
    def previous_offset(self) -> int:
        return max(0, self.offset - self.limit)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def first_item(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.offset + self.limit, self.total)


async def api_paging(
    limit: Annotated[int, Query(ge=1, le=API_LIMIT_MAX)] = API_LIMIT_DEFAULT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Paging:
    """`?limit=&offset=` of a JSON list."""
    return Paging(limit, offset)


def page_paging(size: int) -> Any:
    """The dependency of an HTML list shown `size` rows at a time: only `?offset=` is read."""

    async def window(offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> Paging:
        return Paging(size, offset)

    return Depends(window)


def count(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    """How many rows the statement selects."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return session.scalar(counted) or 0


def paginate(
    session: Session,
    statement: Select[T],
    paging: Paging,
    *,
    options: Sequence[ExecutableOption] = (),
) -> tuple[list[T], int]:
    """The window's rows (loaded with `options`, which the count leaves out) and the total."""
    total = count(session, statement)
    rows = session.scalars(
        statement.options(*options).limit(paging.limit).offset(paging.offset)
    ).all()
    return list(rows), total


def paginate_rows(
    session: Session, statement: Select[*tuple[Any, ...]], paging: Paging
) -> tuple[list[Any], int]:
    """The same for a statement of several columns: the window's rows as tuples."""
    total = count(session, statement)
    rows = session.execute(statement.limit(paging.limit).offset(paging.offset)).all()
    return [tuple(row) for row in rows], total
