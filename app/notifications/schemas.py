"""Request and response bodies of notices, email preferences and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.notifications.models import OutboxStatus
from app.schemas import Input, Output


class NotificationOut(Output):
    id: int
    kind: str
    title: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
    read: bool


class MarkedOut(Output):
    marked: int
    unread: int


class KindPreferenceOut(Output):
    kind: str
    label: str
    essential: bool
    email: bool


class PreferencesOut(Output):
    kinds: list[KindPreferenceOut]


class PreferencesIn(Input):
    """`{"email": {"<kind>": true|false, ...}}`; kinds not named keep their setting."""

    email: dict[Annotated[str, StringConstraints(min_length=1, max_length=60)], bool] = Field(
        max_length=100
    )


class OutboxOut(Output):
    """An outbox message as staff see it: never the bodies (they may carry one-time links)."""

    id: int
    idempotency_key: str
    kind: str
    recipient_id: int | None
    to_email: str
    subject: str
    locale: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    claimed_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
