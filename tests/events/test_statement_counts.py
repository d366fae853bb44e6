"""The events list, an event's participants and the API list read a fixed number of SQL
statements, however many events and people there are (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event as sa_event

from app.accounts.models import Role
from tests.events.helpers import make_event
from tests.factories import make_member


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def test_lists_do_not_grow_with_events_and_people(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    member = factory.actor(browser=True)
    make_member(factory.database, factory.organisation(member.user))
    first = make_event(staff.api, capacity=2)

    def measure() -> list[int]:
        figures = []
        for client, path in (
            (member.browser, "/events"),
            (staff.browser, f"/events/{first['id']}/participants"),
            (staff.browser, "/events/manage"),
            (member.api, "/api/v1/events"),
        ):
            with counting(factory.database.engine) as statements:
                assert client.get(path).status_code == 200
            figures.append(len(statements))
        return figures

    member.api.post(f"/api/v1/events/{first['id']}/registrations")
    few = measure()
    for hours in (60, 70, 80, 90):
        extra = make_event(staff.api, capacity=1, hours=hours, members_only=hours > 75)
        member.api.post(f"/api/v1/events/{extra['id']}/registrations")
    for _ in range(3):
        factory.actor().api.post(f"/api/v1/events/{first['id']}/registrations")
    assert measure() == few
