"""The site's menu: the main links and the work areas of a role, each shown when the owning
domain's policy lets the user in, so no link the menu shows answers 403."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from app.accounts import policies as accounts
from app.accounts.models import User
from app.db import session_scope
from app.deals import policies as deals
from app.events import policies as events
from app.i18n import N_
from app.introductions import policies as introductions
from app.meetings import policies as meetings
from app.membership import policies as membership
from app.mentoring import policies as mentoring
from app.notifications import policies as notifications
from app.portal import policies as site
from app.reports import policies as reports
from app.training import policies as training

# The session is None for a visitor: no question about a visitor reads the database.
Shown = Callable[[Session | None, User | None], bool]


def _by_role(predicate: Callable[[User | None], bool]) -> Shown:
    """A question the user's roles answer alone."""
    return lambda _session, user: predicate(user)


def _signed_in(predicate: Callable[[Session, User], bool]) -> Shown:
    """A question about a signed-in user's relations (e.g. a live membership)."""
    return lambda session, user: (
        user is not None and session is not None and predicate(session, user)
    )


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # a msgid, translated where shown
    shown: Shown


@dataclass(frozen=True)
class Navigation:
    main: list[NavItem]
    work: list[NavItem]  # the role's work areas, in a row of their own


signed_in = _by_role(site.takes_part)
everyone = _by_role(site.everyone)

MAIN = (
    NavItem("/organisations", N_("Organisations"), signed_in),
    NavItem("/applications", N_("Applications"), signed_in),
    NavItem("/members", N_("Members"), everyone),
    NavItem("/sessions", N_("Training"), everyone),
    NavItem("/trainings/mine", N_("My trainings"), signed_in),
    NavItem("/investors", N_("Investors"), _signed_in(meetings.can_browse_investors)),
    NavItem("/meetings", N_("My meetings"), signed_in),
    NavItem("/pitch-days", N_("Pitch days"), signed_in),
    NavItem("/events", N_("Events"), everyone),
    NavItem("/library", N_("Library"), everyone),
    NavItem("/partners", N_("Partners"), _signed_in(introductions.can_browse_partners)),
    NavItem("/directory", N_("Member directory"), _signed_in(introductions.can_use_directory)),
    NavItem("/introductions", N_("Introductions"), signed_in),
    NavItem("/mentorships", N_("Mentoring"), _signed_in(mentoring.has_mentorships_page)),
    NavItem("/success-stories", N_("Success stories"), everyone),
    NavItem("/numbers", N_("The cluster in numbers"), everyone),
)

WORK_AREAS = (
    NavItem("/memberships", N_("Memberships"), _by_role(site.works_as_staff)),
    NavItem("/committee/bids", N_("Bids"), _by_role(membership.can_bid)),
    NavItem("/committee/criteria", N_("Review criteria"), _by_role(membership.may_edit_rubric)),
    NavItem("/courses", N_("Courses"), _by_role(training.can_manage_training)),
    NavItem("/events/manage", N_("Manage events"), _by_role(events.can_manage_events)),
    NavItem(
        "/investor-inbox", N_("Meeting requests"), _by_role(meetings.receives_meeting_requests)
    ),
    NavItem(
        "/introductions/queue",
        N_("Brokering queue"),
        _by_role(introductions.works_the_brokering_queue),
    ),
    NavItem("/introductions/inbox", N_("Partner inbox"), _by_role(introductions.has_partner_inbox)),
    NavItem("/deals", N_("Deals"), _signed_in(deals.may_see_deals)),
    NavItem("/reports", N_("Reports"), _by_role(reports.can_view_reports)),
    NavItem("/reports/annual", N_("Annual report"), _by_role(reports.can_view_reports)),
    NavItem("/staff/outbox", N_("Outbox"), _by_role(notifications.can_manage_outbox)),
    NavItem("/admin/users", N_("Users"), _by_role(accounts.can_manage_users)),
)


def navigation_for(session: Session | None, user: User | None) -> Navigation:
    return Navigation(
        main=[item for item in MAIN if item.shown(session, user)],
        work=[item for item in WORK_AREAS if item.shown(session, user)],
    )


@contextmanager
def _session_of(request: Request) -> Iterator[Session]:
    """The request's own session while its transaction is open; an error page, whose session
    has ended, reads the menu in a short session of its own."""
    session: Session | None = getattr(request.state, "db", None)
    if session is not None and session.in_transaction():
        yield session
        return
    with session_scope(write=False) as own:
        yield own


def page_context(request: Request) -> dict[str, Any]:
    """Joins every page's context (installed by `app.main.wire()`)."""
    user = getattr(request.state, "user", None)
    if user is None:
        return {"navigation": navigation_for(None, None)}
    with _session_of(request) as session:
        return {"navigation": navigation_for(session, user)}
