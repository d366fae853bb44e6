"""Figures read from the database when Prometheus scrapes: the outbox, the worker's lag and the
business counts. They describe the shared database, so they are exposed once per scrape, not
summed over the processes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.db import utcnow
from app.meetings.models import Meeting
from app.membership.models import Application
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.worker import seconds_since_reminders
from app.training.models import Enrolment

PENDING = (OutboxStatus.queued, OutboxStatus.sending, OutboxStatus.failed)


def _by_status(
    session: Session, name: str, documentation: str, status: InstrumentedAttribute[Any]
) -> GaugeMetricFamily:
    """One sample per state the column's enum knows, zeros included (alert rules need them)."""
    counts = {
        str(value): count
        for value, count in session.execute(select(status, func.count()).group_by(status))
    }
    family = GaugeMetricFamily(name, documentation, labels=("status",))
    for state in status.type.enum_class:
        family.add_metric((state.value,), counts.get(str(state), 0))
    return family


def _oldest_pending_age(session: Session, now: datetime) -> GaugeMetricFamily:
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(PENDING))
    )
    age = (now - oldest).total_seconds() if oldest else 0.0
    return GaugeMetricFamily(
        "portal_outbox_oldest_pending_age_seconds",
        "Age of the oldest message not yet delivered (0 when none waits).",
        value=max(0.0, age),
    )


class DatabaseFigures(Collector):
    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[GaugeMetricFamily]:
        session = self.session
        yield _by_status(
            session, "portal_outbox_messages", "Outbox messages by state.", OutboxMessage.status
        )
        yield _oldest_pending_age(session, utcnow())
        lag = seconds_since_reminders()
        if lag is not None:
            yield GaugeMetricFamily(
                "portal_worker_reminders_age_seconds",
                "Seconds since a worker last ran the reminders (its cycle is a few seconds).",
                value=lag,
            )
        yield _by_status(
            session,
            "portal_applications",
            "Membership applications by status.",
            Application.status,
        )
        yield _by_status(
            session, "portal_enrolments", "Training enrolments by status.", Enrolment.status
        )
        yield _by_status(session, "portal_meetings", "Investor meetings by status.", Meeting.status)
