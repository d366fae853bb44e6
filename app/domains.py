"""What each package contributes to the application, named by plain imports: models, routes,
the worker's reminders, demo data and commands. Routes are included in the order listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from fastapi import APIRouter
from sqlalchemy.orm import Session

import app.audit  # noqa: F401  (the audit table)
from app.accounts import api as accounts_api
from app.accounts import models as accounts_models  # noqa: F401
from app.accounts import pages as accounts_pages
from app.accounts import reminders as accounts_reminders
from app.deals import api as deals_api
from app.deals import demo as deals_demo
from app.deals import models as deals_models  # noqa: F401
from app.deals import pages as deals_pages
from app.events import api as events_api
from app.events import demo as events_demo
from app.events import models as events_models  # noqa: F401
from app.events import pages as events_pages
from app.events import reminders as events_reminders
from app.introductions import api as introductions_api
from app.introductions import demo as introductions_demo
from app.introductions import models as introductions_models  # noqa: F401
from app.introductions import networking_api as introductions_networking_api
from app.introductions import networking_pages as introductions_networking_pages
from app.introductions import pages as introductions_pages
from app.introductions import reminders as introductions_reminders
from app.library import api as library_api
from app.library import cli as library_cli
from app.library import demo as library_demo
from app.library import models as library_models  # noqa: F401
from app.library import pages as library_pages
from app.meetings import api as meetings_api
from app.meetings import demo as meetings_demo
from app.meetings import models as meetings_models  # noqa: F401
from app.meetings import pages as meetings_pages
from app.meetings import reminders as meetings_reminders
from app.membership import api as membership_api
from app.membership import cli as membership_cli
from app.membership import demo as membership_demo
from app.membership import models as membership_models  # noqa: F401
from app.membership import pages as membership_pages
from app.membership import reminders as membership_reminders
from app.mentoring import api as mentoring_api
from app.mentoring import demo as mentoring_demo
from app.mentoring import models as mentoring_models  # noqa: F401
from app.mentoring import pages as mentoring_pages
from app.notifications import api as notifications_api
from app.notifications import models as notifications_models  # noqa: F401
from app.notifications import pages as notifications_pages
from app.notifications.worker import Reminder
from app.operations import api as operations_api
from app.portal import api as portal_api
from app.portal import pages as portal_pages
from app.reports import api as reports_api
from app.reports import demo as reports_demo
from app.reports import pages as reports_pages
from app.training import api as training_api
from app.training import demo as training_demo
from app.training import models as training_models  # noqa: F401
from app.training import pages as training_pages
from app.training import reminders as training_reminders

# The packages under app/ whose strings have their own catalogue (app/locale/*/LC_MESSAGES).
DOMAINS = (
    "accounts",
    "notifications",
    "membership",
    "training",
    "meetings",
    "library",
    "introductions",
    "events",
    "deals",
    "reports",
    "portal",
    "mentoring",
)

# The site's pages come first: they own `/`, `/verify/{code}` and `/account/erase`.
ROUTERS: tuple[APIRouter, ...] = (
    operations_api.router,
    portal_api.router,
    accounts_api.router,
    notifications_api.router,
    membership_api.router,
    training_api.router,
    meetings_api.router,
    library_api.router,
    introductions_api.router,
    introductions_networking_api.router,
    events_api.router,
    deals_api.router,
    mentoring_api.router,
    reports_api.router,
    portal_pages.router,
    accounts_pages.router,
    notifications_pages.router,
    membership_pages.router,
    training_pages.router,
    meetings_pages.router,
    library_pages.router,
    introductions_pages.router,
    introductions_networking_pages.router,
    events_pages.router,
    deals_pages.router,
    mentoring_pages.router,
    reports_pages.router,
)

REMINDERS: dict[str, Reminder] = {
    "accounts.housekeeping": accounts_reminders.housekeeping,
    "accounts.password_resets": accounts_reminders.send_password_resets,
    "events.upcoming": events_reminders.remind_upcoming_events,
    "introductions.checkins": introductions_reminders.remind_checkins,
    "introductions.pending": introductions_reminders.remind_pending,
    "meetings.pending_requests": meetings_reminders.pending_requests,
    "meetings.upcoming": meetings_reminders.upcoming_meetings,
    "membership.renewal": membership_reminders.invite_renewals,
    "membership.review_overdue": membership_reminders.remind_overdue_reviews,
    "training_sessions": training_reminders.remind_upcoming_sessions,
}

# Each loads its demo records into the world of demo users and organisations, in this order:
# the year of history (reports) follows the course it certifies for and comes before the
# meetings, pitch days and introductions that take its members as participants.
DEMOS: tuple[Callable[[Session, Any], None], ...] = (
    membership_demo.load,
    training_demo.load,
    reports_demo.load,
    meetings_demo.load,
    library_demo.load,
    introductions_demo.load,
    events_demo.load,
    deals_demo.load,
    mentoring_demo.load,
)

COMMANDS: tuple[Callable[[typer.Typer, typer.Typer], None], ...] = (
    membership_cli.register,
    library_cli.register,
)


def load_models() -> None:
    """Every mapped table is known once this module is imported (the imports above)."""
