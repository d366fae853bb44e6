from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.meetings.bookings import remind_upcoming_meetings
from app.notifications.models import OutboxMessage
from tests.factories import Factory
from tests.meetings.helpers import accept, investor, member, open_window, request_meeting, tomorrow


def _upcoming_recipients(factory: Factory) -> list[int | None]:
    with factory.database.session_scope() as session:
        return list(
            session.scalars(
                select(OutboxMessage.recipient_id)
                .where(OutboxMessage.idempotency_key.contains(".upcoming."))
                .order_by(OutboxMessage.recipient_id)
            )
        )


def test_both_sides_are_reminded_once_a_day_before_the_meeting(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    request = request_meeting(mem, inv.id)
    start = tomorrow()
    accept(inv, request["id"], start)

    with factory.database.session_scope() as session:
        too_early = remind_upcoming_meetings(session, start - timedelta(hours=30))
    assert too_early == 0
    for _ in range(2):
        with factory.database.session_scope() as session:
            remind_upcoming_meetings(session, start - timedelta(hours=23))

    assert _upcoming_recipients(factory) == sorted([inv.id, mem.id])
