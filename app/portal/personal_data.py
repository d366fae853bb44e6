"""Every domain's exporter, releaser and eraser of a person's data, named here (see
`app.accounts.personal_data` for what each does), and what runs them all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.accounts import people
from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.personal_data import Eraser, Exporter, Releaser, Traces
from app.events import service as events
from app.introductions import service as introductions
from app.meetings import personal_data as meetings
from app.membership import personal_data as membership
from app.notifications import service as notifications
from app.training import queries as training_queries
from app.training import service as training

# The sections of `/api/v1/me/export`, in the order of the document.
EXPORTERS: dict[str, Exporter] = {
    "account": accounts.export_account,
    "api_tokens": accounts.export_api_tokens,
    "audit": accounts.export_audit,
    "events": events.export_events,
    "introductions": introductions.export_introductions,
    "meetings": meetings.export_meetings,
    "membership": membership.export_membership_data,
    "notifications": notifications.export_notifications,
    "organisations": accounts.export_organisations,
    "people": people.export_people,
    "sessions": accounts.export_sessions,
    "training": training_queries.export_training,
}

RELEASERS: dict[str, Releaser] = {
    "events": events.release_places,
    "introductions": introductions.withdraw_pending,
    "meetings": meetings.release_meetings,
    "membership": membership.release_open_reviews,
    "training": training.release_places,
}

ERASERS: dict[str, Eraser] = {
    "accounts": accounts.erase_account_records,
    "events": events.erase_registrations,
    "introductions": introductions.erase_introduction_texts,
    "meetings": meetings.erase_meeting_texts,
    "membership": membership.erase_membership_texts,
    "notifications": notifications.erase_notifications,
    "people": people.erase_people,
}


def registered() -> dict[str, Iterable[str]]:
    """The sections each list holds."""
    return {
        "exporters": sorted(EXPORTERS),
        "releasers": sorted(RELEASERS),
        "erasers": sorted(ERASERS),
    }


def export_personal_data(session: Session, user: User) -> dict[str, Any]:
    return {section: exporter(session, user) for section, exporter in sorted(EXPORTERS.items())}


def release_held(session: Session, *, actor: User, user: User) -> None:
    for _section, releaser in sorted(RELEASERS.items()):
        releaser(session, actor=actor, user=user)


def erase_personal_data(session: Session, *, user: User, traces: Traces) -> None:
    for _section, eraser in sorted(ERASERS.items()):
        eraser(session, user=user, traces=traces)


def erase_person(session: Session, user: User) -> None:
    """The person leaves: what they held is released, every domain's records of them erased,
    and their account anonymised."""
    accounts.erase(session, user, release=release_held, erase_records=erase_personal_data)


def disable_account(session: Session, *, actor: User, user_id: int) -> User:
    """An administrator disables an account; what the person held is released."""
    return accounts.disable_user(session, actor=actor, user_id=user_id, release=release_held)
