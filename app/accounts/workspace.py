"""What a workspace is made of, shared by every domain that contributes to the home page of a
signed-in user (`app.portal.workspace` assembles them), and the accounts' own contributions:
organisations waiting for staff verification, and the first step of a newcomer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind, OrganisationMember, User
from app.i18n import gettext


class StepState(StrEnum):
    done = "done"
    current = "current"
    todo = "todo"


@dataclass(frozen=True)
class Step:
    """One stage of a process the item follows (e.g. an application: draft → decision)."""

    label: str
    state: StepState

    @property
    def is_current(self) -> bool:
        return self.state == StepState.current


@dataclass(frozen=True)
class WorkItem:
    """One thing to do, as a link to the page where it is done. `label` is translated text;
    `count`, `due` (a deadline) and `next` (when the nearest of them begins) are shown beside
    it when known; `notes` say what is missing."""

    label: str
    href: str
    count: int | None = None
    due: date | datetime | None = None
    next: date | datetime | None = None
    notes: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def due_has_time(self) -> bool:
        return isinstance(self.due, datetime)

    @property
    def next_has_time(self) -> bool:
        return isinstance(self.next, datetime)


# A domain's contribution to a part of the workspace: the items of one user, read with a fixed
# number of statements (counts are SQL aggregates, never loaded lists).
Contributor = Callable[[Session, User], list[WorkItem]]


@dataclass(frozen=True)
class WorkPart:
    """A part of the workspace as the page shows it: `title` and `empty` are msgids."""

    key: str
    title: str
    empty: str
    items: list[WorkItem] = field(default_factory=list)


def single_or_list(count: int, one_id: int | None, one: str, many: str) -> str:
    """The page of the only record when there is one, else the list of them."""
    return one.format(id=one_id) if count == 1 and one_id is not None else many


def organisations_to_verify(session: Session, user: User) -> list[WorkItem]:
    """Large companies and investors that joined and wait for staff verification."""
    count, first = session.execute(
        select(func.count(), func.min(Organisation.id)).where(
            Organisation.kind.in_((OrganisationKind.large, OrganisationKind.investor)),
            Organisation.verified_at.is_(None),
        )
    ).one()
    if not count:
        return []
    return [
        WorkItem(
            gettext("Organisations to verify"),
            single_or_list(count, first, "/organisations/{id}", "/organisations?unverified=1"),
            count=count,
        )
    ]


def first_organisation(session: Session, user: User) -> list[WorkItem]:
    """A newcomer without an organisation registers one first."""
    has_one = session.scalar(
        select(OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id == user.id)
        .limit(1)
    )
    if has_one is not None:
        return []
    return [WorkItem(gettext("Register your organisation"), "/organisations/new")]
