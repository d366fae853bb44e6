"""What the portal holds on a person, and what becomes of it when they leave.

Each domain provides, for its own records (`app.portal.personal_data` lists them all):
- an exporter: the section of `/api/v1/me/export`;
- a releaser: gives up what the person holds that others wait for (a training seat, a meeting
  slot, a pending request) and tells the other side; called when an administrator disables the
  account and when the person erases it;
- an eraser: deletes or scrubs the person's personal data in its records; called on erasure,
  after the releasers and before the user row is anonymised, so the person's address and name
  are still there to be found.

This module holds their shapes and the `Traces` an eraser looks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any, Protocol

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.accounts.models import User
from app.i18n import N_, gettext

ERASED = N_("[erased]")
# Shorter values (a one-letter name) would blank unrelated words.
_SHORTEST_TRACE = 3


class Releaser(Protocol):
    def __call__(self, session: Session, *, actor: User, user: User) -> None: ...


class Eraser(Protocol):
    def __call__(self, session: Session, *, user: User, traces: Traces) -> None: ...


Exporter = Callable[[Session, User], Any]


@dataclass(frozen=True)
class Traces:
    """What identifies the person in free text: their address, full name and phone."""

    values: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> Traces:
        found = {v.strip() for v in (user.email, user.full_name, user.phone) if v}
        return cls(tuple(sorted((v for v in found if len(v) >= _SHORTEST_TRACE), key=len)[::-1]))

    def found_in(
        self, *columns: ColumnElement[Any] | InstrumentedAttribute[Any]
    ) -> ColumnElement[bool]:
        """Rows whose text in any of `columns` holds a trace (case-insensitive)."""
        if not self.values:
            return false()
        return or_(
            *(
                column.icontains(variant, autoescape=True)
                for column in columns
                for value in self.values
                for variant in {value, escape(value)}
            )
        )

    def scrub(self, text: str, placeholder: str | None = None) -> str:
        """`text` with every trace (also HTML-escaped) replaced by the placeholder."""
        replacement = placeholder if placeholder is not None else gettext(ERASED)
        for value in self.values:
            for variant in {value, escape(value)}:
                text = re.sub(re.escape(variant), replacement, text, flags=re.IGNORECASE)
        return text

    def appear_in(self, text: str | None) -> bool:
        return text is not None and self.scrub(text, "") != text

    def scrub_optional(self, text: str | None) -> str | None:
        return None if text is None else self.scrub(text)

    def scrub_rows(
        self,
        session: Session,
        where: ColumnElement[bool],
        *columns: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    ) -> None:
        """Scrub `columns` (of one model) in the rows `where` selects; only the rows that hold
        a trace are read."""
        model = columns[0].class_
        for row in session.scalars(select(model).where(where, self.found_in(*columns))):
            for column in columns:
                setattr(row, column.key, self.scrub_optional(getattr(row, column.key)))
