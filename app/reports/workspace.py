"""Reports' part of the regional observer's workspace: the annual report and the dashboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.workspace import WorkItem
from app.i18n import get_timezone, gettext


def region_items(session: Session, user: User) -> list[WorkItem]:
    year = datetime.now(get_timezone()).year
    return [
        WorkItem(gettext("Annual report %(year)s", year=year), f"/reports/annual?year={year}"),
        WorkItem(
            gettext("Annual report %(year)s", year=year - 1), f"/reports/annual?year={year - 1}"
        ),
        WorkItem(gettext("Funnel and services dashboard"), "/reports"),
    ]
