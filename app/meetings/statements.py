"""Statement helpers the meeting services share: counting, paging and row locks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.db import is_postgresql


def for_update(session: Session, statement: Select[Any]) -> Select[Any]:
    """The statement locking its rows on PostgreSQL (SQLite serialises writers already)."""
    if is_postgresql(session):
        return statement.with_for_update()
    return statement


def total(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def page(
    session: Session, statement: Select[Any], order: tuple[Any, ...], limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of the entities `statement` selects, and how many there are in all."""
    rows = session.scalars(statement.order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), total(session, statement)
