"""Deals' part of the staff workspace: reported rounds waiting for confirmation."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.workspace import WorkItem
from app.deals.models import Deal, DealStatus
from app.i18n import gettext


def to_confirm(session: Session, user: User) -> list[WorkItem]:
    count = session.scalar(select(func.count(Deal.id)).where(Deal.status == DealStatus.reported))
    if not count:
        return []
    return [WorkItem(gettext("Deals to confirm"), "/deals?status=reported", count=count)]
