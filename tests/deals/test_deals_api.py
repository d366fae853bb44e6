"""Deals over the JSON API: who reports, what is refused, who sees which, confirmation, and the
staff report's funnel and investment changing only when staff confirm."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from app.accounts.models import OrganisationKind, Role
from app.audit import AuditEntry
from app.deals.models import Deal, DealStatus
from tests.factories import Actor, Factory, make_member
from tests.reports.helpers import build_history

URL = "/api/v1/deals"


class World:
    def __init__(self, factory: Factory) -> None:
        self.owner = factory.actor(full_name="Owner")
        self.organisation = factory.organisation(self.owner.user, name="Member Co")
        make_member(factory.database, self.organisation)
        self.colleague = factory.actor(full_name="Colleague")
        self.investor = factory.actor(Role.investor, full_name="Investor")
        self.fund = factory.organisation(
            self.investor.user, kind=OrganisationKind.investor, name="Fund", verified=True
        )
        self.other_investor = factory.actor(Role.investor)
        factory.organisation(self.other_investor.user, kind=OrganisationKind.investor)
        self.stranger = factory.actor()
        self.staff = factory.actor(Role.staff)


def body(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organisation_id": world.organisation.id,
        "amount_rub": 12_000_000,
        "instrument": "equity",
        "closed_on": (date.today() - timedelta(days=3)).isoformat(),
        "investor_organisation_id": world.fund.id,
        "source": "external",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def report(actor: Actor, payload: dict[str, Any]) -> Any:
    return actor.api.post(URL, json=payload)


def _fields(response: Any) -> set[str]:
    return {error["loc"][-1] for error in response.json()["detail"]}


def test_an_owner_reports_a_deal_that_waits_for_staff(factory) -> None:
    world = World(factory)

    response = report(world.owner, body(world))

    assert response.status_code == 201, response.text
    deal = response.json()
    assert deal["status"] == "reported"
    assert deal["amount_rub"] == 12_000_000
    assert deal["organisation_name"] == "Member Co"
    assert deal["investor_name"] == "Fund"
    with factory.database.session_scope(write=False) as session:
        stored = session.get(Deal, deal["id"])
        assert stored is not None and stored.status == DealStatus.reported
        assert stored.reported_by_id == world.owner.id
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "deal")
        ).all()
    assert actions == ["deal.reported"]


def test_bad_amounts_future_dates_and_investors_are_refused_naming_the_field(factory) -> None:
    world = World(factory)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()

    cases = [
        (body(world, amount_rub=0), "amount_rub"),
        (body(world, amount_rub=-5), "amount_rub"),
        (body(world, closed_on=tomorrow), "closed_on"),
        (body(world, instrument="shares"), "instrument"),
        (body(world, investor_organisation_id=None), "investor_name"),
        (body(world, investor_name="Angel"), "investor_name"),
        (body(world, investor_organisation_id=999_999), "investor_organisation_id"),
        (body(world, source="external", source_id=5), "source_id"),
        (body(world, source="meeting", source_id=999_999), "source_id"),
    ]
    for payload, field in cases:
        response = report(world.owner, payload)
        assert response.status_code == 422, (payload, response.text)
        assert field in _fields(response), (payload, response.text)
    assert factory.count(Deal) == 0


def test_an_organisation_the_caller_does_not_own_is_not_found(factory) -> None:
    world = World(factory)
    with factory.database.session_scope() as session:
        from app.accounts.models import OrganisationMember, OrganisationRole

        session.add(
            OrganisationMember(
                organisation_id=world.organisation.id,
                user_id=world.colleague.id,
                role=OrganisationRole.member,
            )
        )

    assert report(world.stranger, body(world)).status_code == 404
    assert report(world.colleague, body(world)).status_code == 404
    assert report(world.owner, body(world, organisation_id=999_999)).status_code == 404
    # Owning an organisation that is not a member is not enough.
    lone = factory.organisation(world.stranger.user)
    refused = report(world.stranger, body(world, organisation_id=lone.id))
    assert refused.status_code == 422
    assert _fields(refused) == {"organisation_id"}
    assert factory.count(Deal) == 0


def test_staff_report_for_a_member_and_everyone_sees_only_their_side(factory) -> None:
    world = World(factory)
    by_staff = report(world.staff, body(world, investor_organisation_id=None, investor_name="X"))
    assert by_staff.status_code == 201
    with_fund = report(world.owner, body(world)).json()

    def ids(actor: Actor) -> list[int]:
        response = actor.api.get(URL)
        assert response.status_code == 200
        return sorted(item["id"] for item in response.json()["items"])

    assert ids(world.staff) == sorted([by_staff.json()["id"], with_fund["id"]])
    assert ids(world.owner) == sorted([by_staff.json()["id"], with_fund["id"]])
    assert ids(world.investor) == [with_fund["id"]]
    assert ids(world.other_investor) == []
    assert ids(world.stranger) == []
    assert world.stranger.api.get(f"{URL}/{with_fund['id']}").status_code == 404
    assert world.investor.api.get(f"{URL}/{with_fund['id']}").status_code == 200
    assert world.staff.api.get(URL, params={"status": "confirmed"}).json()["total"] == 0


def test_only_staff_confirm_once_and_the_change_is_audited(factory) -> None:
    world = World(factory)
    deal = report(world.owner, body(world)).json()
    confirm = f"{URL}/{deal['id']}/confirm"

    assert world.owner.api.post(confirm).status_code == 403
    assert world.investor.api.post(confirm).status_code == 403
    assert world.stranger.api.post(confirm).status_code == 404
    confirmed = world.staff.api.post(confirm)
    again = world.staff.api.post(confirm)

    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_at"] is not None
    assert again.status_code == 409
    with factory.database.session_scope(write=False) as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.data)
            .where(AuditEntry.entity_type == "deal", AuditEntry.entity_id == str(deal["id"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [(a, actor) for a, actor, _ in entries] == [
        ("deal.reported", world.owner.id),
        ("deal.confirmed", world.staff.id),
    ]
    assert entries[-1][2] == {"from": "reported", "to": "confirmed"}


def test_kpis_count_a_deal_only_once_staff_confirm_it(factory) -> None:
    """In the hand-computed history B has met an investor and reported a round of 7 000 000
    that staff have not confirmed: it is not funded until they do."""
    (history,) = build_history(factory.database)
    staff = factory.actor(Role.staff)

    def figures() -> tuple[int, int, int]:
        kpis = staff.api.get("/api/v1/reports/kpis").json()
        funded = next(s["count"] for s in kpis["funnel"] if s["stage"] == "funded")
        return funded, kpis["investment"]["total_rub"], kpis["investment"]["deals"]

    assert figures() == (1, 1_500_000, 2)
    with factory.database.session_scope(write=False) as session:
        deal_id = session.scalar(
            select(Deal.id).where(Deal.organisation_id == history.organisations["B"])
        )
    assert staff.api.post(f"{URL}/{deal_id}/confirm").status_code == 200

    assert figures() == (2, 8_500_000, 3)


def test_a_reported_deal_leaves_the_kpis_unchanged(factory) -> None:
    world = World(factory)
    before = world.staff.api.get("/api/v1/reports/kpis").json()["investment"]

    deal = report(world.owner, body(world)).json()
    after_report = world.staff.api.get("/api/v1/reports/kpis").json()["investment"]
    world.staff.api.post(f"{URL}/{deal['id']}/confirm")
    after_confirm = world.staff.api.get("/api/v1/reports/kpis").json()["investment"]

    assert before == after_report == {"total_rub": 0, "deals": 0, "by_month": []}
    assert after_confirm["total_rub"] == 12_000_000
    assert after_confirm["deals"] == 1
