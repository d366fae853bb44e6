"""Notifications' part of the staff workspace: emails the worker gave up on."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.workspace import WorkItem
from app.i18n import gettext
from app.notifications.models import OutboxMessage, OutboxStatus


def dead_letters(session: Session, user: User) -> list[WorkItem]:
    count = session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.dead)
    )
    if not count:
        return []
    return [WorkItem(gettext("Undelivered emails"), "/staff/outbox?status=dead", count=count)]
