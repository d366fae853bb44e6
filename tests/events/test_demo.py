"""The demo's events: three upcoming, one for members only, a full one with a waitlist."""

from __future__ import annotations

from sqlalchemy import select

from app.demo import load_demo
from app.events.models import Event, Registration, RegistrationStatus
from tests.factories import Factory


def test_demo_events_and_registrations(factory: Factory) -> None:
    with factory.database.session_scope() as session:
        load_demo(session)
    with factory.database.session_scope(write=False) as session:
        events = session.scalars(select(Event).order_by(Event.starts_at)).all()
        assert [(e.kind.value, e.capacity, e.members_only) for e in events] == [
            ("networking", 3, False),
            ("demo_day", None, True),
            ("workshop", 25, False),
        ]
        places = {
            e.kind.value: sorted(
                r.status.value
                for r in session.scalars(select(Registration).where(Registration.event_id == e.id))
            )
            for e in events
        }
    assert places["networking"] == ["registered"] * 3 + ["waitlisted"]
    assert places["demo_day"] == [RegistrationStatus.registered.value]
    assert places["workshop"] == ["registered"] * 2
