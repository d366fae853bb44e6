from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from app.accounts.models import Organisation, OrganisationKind, Role
from tests.factories import Actor, Factory, make_member


def member(factory: Factory, **kwargs) -> tuple[Actor, Organisation]:
    actor = factory.actor(**kwargs)
    organisation = factory.organisation(actor.user)
    make_member(factory.database, organisation)
    return actor, organisation


def investor(factory: Factory, **kwargs) -> tuple[Actor, Organisation]:
    actor = factory.actor(Role.investor, **kwargs)
    organisation = factory.organisation(actor.user, kind=OrganisationKind.investor, verified=True)
    return actor, organisation


def tomorrow(hour: int = 10) -> datetime:
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def open_window(
    actor: Actor, start: datetime | None = None, hours: int = 3, slot: int = 30
) -> None:
    start = start or tomorrow()
    response = actor.api.post(
        "/api/v1/investors/me/availability",
        json={
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat(),
            "slot_minutes": slot,
        },
    )
    assert response.status_code == 201, response.text


def request_meeting(actor: Actor, investor_id: int, message: str = "Hello") -> dict:
    response = actor.api.post(
        "/api/v1/meeting-requests", json={"investor_id": investor_id, "message": message}
    )
    assert response.status_code == 201, response.text
    return response.json()


def add_colleague(factory: Factory, organisation: Organisation, **kwargs) -> Actor:
    """Another person of the organisation (not its owner)."""
    from app.accounts.models import OrganisationMember, OrganisationRole

    actor = factory.actor(**kwargs)
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation.id,
                user_id=actor.id,
                role=OrganisationRole.member,
            )
        )
    return actor


def accept(actor: Actor, request_id: int, starts_at: datetime) -> dict:
    response = actor.api.post(
        f"/api/v1/meeting-requests/{request_id}/accept", json={"starts_at": starts_at.isoformat()}
    )
    assert response.status_code == 200, response.text
    return response.json()


_VOID = {"area", "base", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Texts(HTMLParser):
    """Texts of the `tag` elements inside the element whose id is `scope` (or anywhere)."""

    def __init__(self, tag: str, scope: str | None) -> None:
        super().__init__()
        self.tag, self.scope = tag, scope
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        inside = (self.scope is None) or any(s for _t, s in self.stack)
        opens_scope = dict(attrs).get("id") == self.scope
        self.stack.append((tag, opens_scope))
        if tag == self.tag and inside:
            self.found.append("")
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == self.tag and self.depth:
                self.depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found[-1] += data


def texts(html: str, tag: str, scope: str | None = None) -> list[str]:
    parser = _Texts(tag, scope)
    parser.feed(html)
    return [" ".join(t.split()) for t in parser.found]
