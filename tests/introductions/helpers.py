"""A small world for introductions: a member, a verified large partner with a contact, staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.accounts.models import Organisation, OrganisationKind, Role
from app.notifications.models import OutboxMessage
from tests.factories import Actor, Factory, make_member


@dataclass
class World:
    member: Actor
    member_org: Organisation
    partner: Actor
    partner_org: Organisation
    staff: Actor


def make_world(factory: Factory, *, browser: bool = False) -> World:
    staff = factory.actor(Role.staff, browser=browser, full_name="Staff Person")
    member = factory.actor(browser=browser, full_name="Мария Членова", email="maria@member.example")
    member_org = factory.organisation(member.user, name="ГеоСтарт")
    make_member(factory.database, member_org)
    partner = factory.actor(
        Role.partner, browser=browser, full_name="Pavel Partnerov", email="pavel@bigcorp.example"
    )
    partner_org = factory.organisation(
        partner.user, kind=OrganisationKind.large, name="BigCorp", verified=True
    )
    return World(member, member_org, partner, partner_org, staff)


def request(world: World, **extra: Any) -> dict[str, Any]:
    body = {
        "partner_id": world.partner_org.id,
        "purpose": "Pilot of our mapping service",
        "offer": "Free pilot",
        "ask": "Test site",
        **extra,
    }
    response = world.member.api.post("/api/v1/introductions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def forwarded(world: World) -> int:
    introduction_id = int(request(world)["id"])
    response = world.staff.api.post(f"/api/v1/introductions/{introduction_id}/forward")
    assert response.status_code == 200, response.text
    return introduction_id


def accepted(world: World) -> int:
    introduction_id = forwarded(world)
    response = world.partner.api.post(f"/api/v1/introductions/{introduction_id}/accept")
    assert response.status_code == 200, response.text
    return introduction_id


def outbox(factory: Factory, to_email: str | None = None) -> list[OutboxMessage]:
    with factory.database.session_scope(write=False) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to_email is not None:
            query = query.where(OutboxMessage.to_email == to_email)
        messages = list(session.scalars(query))
        session.expunge_all()
    return messages


def mail_text(messages: list[OutboxMessage]) -> str:
    return "\n".join(m.subject + m.body_text + m.body_html for m in messages)
