from __future__ import annotations

import json
import threading
from datetime import timedelta

from app.accounts.models import OrganisationKind, Role
from app.db import utcnow
from app.introductions.models import Introduction
from app.introductions.reminders import remind_checkins, remind_pending
from tests.factories import Factory, make_member
from tests.introductions.helpers import (
    accepted,
    forwarded,
    mail_text,
    make_world,
    outbox,
    request,
)


def test_partners_lists_verified_large_members_with_profile_and_no_people(factory: Factory) -> None:
    world = make_world(factory)
    factory.organisation(world.partner.user, kind=OrganisationKind.large, name="Unverified")
    update = world.partner.api.put(
        f"/api/v1/partners/{world.partner_org.id}",
        json={"looking_for": ["pilots", "suppliers"], "sectors": ["energy"], "summary": "Grid"},
    )
    assert update.status_code == 200, update.text

    response = world.member.api.get("/api/v1/partners")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": world.partner_org.id,
                "name": "BigCorp",
                "region": "Новосибирская область",
                "sector": "software",
                "website": None,
                "description": "",
                "looking_for": ["pilots", "suppliers"],
                "sectors": ["energy"],
                "summary": "Grid",
                "translations": {},
            }
        ],
        "total": 1,
    }
    assert "Pavel" not in response.text and "pavel@" not in response.text


def test_partners_are_for_members_only(factory: Factory) -> None:
    make_world(factory)
    outsider = factory.actor()
    response = outsider.api.get("/api/v1/partners")
    assert response.status_code == 403
    assert response.json()["detail"] == "Просматривать партнёров могут только участники кластера."


def test_profile_is_edited_by_partner_contacts_only_and_sectors_are_checked(
    factory: Factory,
) -> None:
    world = make_world(factory)
    url = f"/api/v1/partners/{world.partner_org.id}"
    body = {"looking_for": ["procurement"], "sectors": ["fintech"], "summary": ""}
    assert world.member.api.put(url, json=body).status_code == 403
    bad = world.partner.api.put(url, json={**body, "sectors": ["astrology"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "sectors"]
    wish = world.partner.api.put(url, json={**body, "looking_for": ["golf"]})
    assert wish.status_code == 422
    assert world.staff.api.put(url, json=body).status_code == 200


def test_only_members_may_request_an_introduction(factory: Factory) -> None:
    world = make_world(factory)
    outsider = factory.actor()
    factory.organisation(outsider.user)  # an organisation without membership
    response = outsider.api.post(
        "/api/v1/introductions", json={"partner_id": world.partner_org.id, "purpose": "Hi"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == ("Запрашивать знакомства могут только участники кластера.")
    assert factory.count(Introduction) == 0


def test_member_request_starts_requested_and_tells_staff_without_names(factory: Factory) -> None:
    world = make_world(factory)

    body = request(world)

    assert body["status"] == "requested"
    assert body["partner_id"] == world.partner_org.id
    assert body["organisation"] == {"id": world.member_org.id, "name": "ГеоСтарт"}
    assert body["partner_contact"] is None
    assert [step["status"] for step in body["timeline"]] == ["requested"]
    staff_mail = [
        m for m in outbox(factory, world.staff.user.email) if m.kind.startswith("introductions")
    ]
    assert len(staff_mail) == 1
    assert "ГеоСтарт" in staff_mail[0].subject
    assert not [
        m for m in outbox(factory, world.partner.user.email) if m.kind.startswith("introductions")
    ]


def test_request_to_unverified_or_small_organisation_or_twice_is_refused(factory: Factory) -> None:
    world = make_world(factory)
    unverified = factory.organisation(world.partner.user, kind=OrganisationKind.large)
    for partner_id in (unverified.id, world.member_org.id, 999999):
        response = world.member.api.post(
            "/api/v1/introductions", json={"partner_id": partner_id, "purpose": "Hi"}
        )
        assert response.status_code == 422, partner_id
        assert response.json()["detail"][0]["loc"] == ["body", "partner_id"]
    request(world)
    again = world.member.api.post(
        "/api/v1/introductions", json={"partner_id": world.partner_org.id, "purpose": "Again"}
    )
    assert again.status_code == 409
    extra = world.member.api.post(
        "/api/v1/introductions",
        json={"partner_id": world.partner_org.id, "purpose": "x", "status": "accepted"},
    )
    assert extra.status_code == 422
    assert factory.count(Introduction) == 1


def test_concurrent_duplicate_requests_make_one_introduction(factory: Factory) -> None:
    world = make_world(factory)
    clients = [world.member.api, factory.api_client(world.member.user)]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def send(client: object) -> None:
        barrier.wait()
        response = client.post(  # type: ignore[attr-defined]
            "/api/v1/introductions", json={"partner_id": world.partner_org.id, "purpose": "Hi"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409]
    assert factory.count(Introduction) == 1


def test_others_get_404_and_partner_sees_request_only_after_forwarding(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = request(world)["id"]
    stranger = factory.actor(Role.partner)
    url = f"/api/v1/introductions/{introduction_id}"

    assert stranger.api.get(url).status_code == 404
    assert world.partner.api.get(url).status_code == 404
    assert world.partner.api.get("/api/v1/introductions").json()["total"] == 0
    assert world.member.api.get("/api/v1/introductions").json()["total"] == 1
    assert world.staff.api.get("/api/v1/introductions").json()["total"] == 1

    world.staff.api.post(f"{url}/forward")

    assert world.partner.api.get(url).status_code == 200
    assert world.partner.api.get("/api/v1/introductions").json()["total"] == 1
    assert stranger.api.get(url).status_code == 404


def test_only_staff_forward_and_screen_out(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = request(world)["id"]
    url = f"/api/v1/introductions/{introduction_id}"
    assert world.member.api.post(f"{url}/forward").status_code == 403
    assert world.partner.api.post(f"{url}/screen-out", json={"reason": "x"}).status_code == 403
    assert world.staff.api.post(f"{url}/forward").json()["status"] == "forwarded"
    assert world.staff.api.post(f"{url}/forward").status_code == 409
    assert world.staff.api.post(f"{url}/screen-out", json={"reason": "x"}).status_code == 409


def test_screen_out_sends_the_reason_to_the_member(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = request(world)["id"]
    url = f"/api/v1/introductions/{introduction_id}"
    assert world.staff.api.post(f"{url}/screen-out", json={}).status_code == 422

    response = world.staff.api.post(f"{url}/screen-out", json={"reason": "Not a fit yet"})

    assert response.status_code == 200
    assert response.json()["status"] == "screened_out"
    assert world.member.api.get(url).json()["screen_out_reason"] == "Not a fit yet"
    mail = [
        m for m in outbox(factory, world.member.user.email) if m.kind == "introductions.answered"
    ]
    assert len(mail) == 1 and "Not a fit yet" in mail[0].body_text
    assert world.partner.api.get(url).status_code == 404
    # A closed request frees the pair for a new one.
    assert request(world)["status"] == "requested"


def test_contact_details_are_absent_everywhere_before_acceptance(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = forwarded(world)
    url = f"/api/v1/introductions/{introduction_id}"
    member_secrets = ("Мария Членова", "maria@member.example")
    partner_secrets = ("Pavel Partnerov", "pavel@bigcorp.example")

    member_view = world.member.api.get(url)
    partner_view = world.partner.api.get(url)
    partner_list = world.partner.api.get("/api/v1/introductions")

    assert member_view.json()["partner_contact"] is None
    assert partner_view.json()["member_contact"] is None
    for secret in partner_secrets:
        assert secret not in member_view.text
    for secret in member_secrets:
        assert secret not in partner_view.text and secret not in partner_list.text
    partner_mail = mail_text(outbox(factory, world.partner.user.email))
    assert "Pilot of our mapping service" in partner_mail
    for secret in member_secrets:
        assert secret not in partner_mail
    for secret in partner_secrets:
        assert secret not in mail_text(outbox(factory, world.member.user.email))


def test_acceptance_reveals_both_sides_and_sends_introduction_emails(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = forwarded(world)
    url = f"/api/v1/introductions/{introduction_id}"
    assert world.member.api.post(f"{url}/accept").status_code == 403
    assert world.staff.api.post(f"{url}/accept").status_code == 403

    response = world.partner.api.post(f"{url}/accept")

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["member_contact"] == {
        "full_name": "Мария Членова",
        "email": "maria@member.example",
        "phone": None,
    }
    assert world.member.api.get(url).json()["partner_contact"] == {
        "full_name": "Pavel Partnerov",
        "email": "pavel@bigcorp.example",
        "phone": None,
    }
    assert [s["status"] for s in world.member.api.get(url).json()["timeline"]] == [
        "requested",
        "forwarded",
        "accepted",
    ]
    member_mail = [m for m in outbox(factory, world.member.user.email) if "introduced" in m.kind]
    partner_mail = [m for m in outbox(factory, world.partner.user.email) if "introduced" in m.kind]
    assert len(member_mail) == 1 and len(partner_mail) == 1
    assert "pavel@bigcorp.example" in member_mail[0].body_text
    assert "Pavel Partnerov" in member_mail[0].body_html
    assert "maria@member.example" in partner_mail[0].body_text
    assert world.partner.api.post(f"{url}/decline", json={}).status_code == 409


def test_decline_reason_stays_private_unless_shared(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = forwarded(world)
    url = f"/api/v1/introductions/{introduction_id}"
    response = world.partner.api.post(f"{url}/decline", json={"reason": "Budget frozen"})
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "Budget frozen"
    assert world.staff.api.get(url).json()["decline_reason"] == "Budget frozen"
    member_view = world.member.api.get(url)
    assert member_view.json()["status"] == "declined"
    assert member_view.json()["decline_reason"] is None
    assert member_view.json()["partner_contact"] is None
    member_mail = mail_text(outbox(factory, world.member.user.email))
    assert "BigCorp" in member_mail and "Budget frozen" not in member_mail
    assert "Pavel" not in member_view.text + member_mail

    second = forwarded(world)
    world.partner.api.post(
        f"/api/v1/introductions/{second}/decline",
        json={"reason": "Try next year", "share_reason": True},
    )
    assert world.member.api.get(f"/api/v1/introductions/{second}").json()["decline_reason"] == (
        "Try next year"
    )
    assert "Try next year" in mail_text(outbox(factory, world.member.user.email))


def test_outcomes_follow_acceptance_and_amount_rules(factory: Factory) -> None:
    world = make_world(factory)
    pending = forwarded(world)
    assert (
        world.member.api.post(
            f"/api/v1/introductions/{pending}/outcome", json={"kind": "meeting", "note": "x"}
        ).status_code
        == 409
    )
    world.partner.api.post(f"/api/v1/introductions/{pending}/accept")
    url = f"/api/v1/introductions/{pending}/outcome"

    meeting_with_amount = world.member.api.post(
        url, json={"kind": "meeting", "amount_rub": 10, "note": "Met"}
    )
    contract_without = world.partner.api.post(url, json={"kind": "contract", "note": "Signed"})
    negative = world.member.api.post(
        url, json={"kind": "investment", "amount_rub": -5, "note": "x"}
    )
    unknown = world.member.api.post(url, json={"kind": "hug", "note": "x"})
    for response in (meeting_with_amount, contract_without, negative, unknown):
        assert response.status_code == 422
    assert meeting_with_amount.json()["detail"][0]["loc"] == ["body", "amount_rub"]
    assert contract_without.json()["detail"][0]["loc"] == ["body", "amount_rub"]

    meeting = world.member.api.post(url, json={"kind": "meeting", "note": "Met in Novosibirsk"})
    pilot = world.partner.api.post(url, json={"kind": "pilot", "note": "Pilot started"})
    contract = world.partner.api.post(
        url, json={"kind": "contract", "amount_rub": 2500000, "note": "Signed"}
    )
    assert [r.status_code for r in (meeting, pilot, contract)] == [201, 201, 201]
    assert contract.json()["amount_rub"] == 2500000 and contract.json()["side"] == "partner"
    assert meeting.json()["side"] == "member"
    outcomes = world.member.api.get(f"/api/v1/introductions/{pending}").json()["outcomes"]
    assert [(o["kind"], o["amount_rub"]) for o in outcomes] == [
        ("meeting", None),
        ("pilot", None),
        ("contract", 2500000),
    ]
    stranger = factory.actor()
    assert stranger.api.post(url, json={"kind": "meeting", "note": "x"}).status_code == 404
    assert world.staff.api.post(url, json={"kind": "meeting", "note": "x"}).status_code == 403


def _run(factory: Factory, reminder: object, days: int) -> int:
    with factory.database.session_scope() as session:
        return int(reminder(session, utcnow() + timedelta(days=days)))  # type: ignore[operator]


def test_pending_request_is_reminded_once_then_expires(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = request(world)["id"]
    url = f"/api/v1/introductions/{introduction_id}"

    assert _run(factory, remind_pending, 3) == 0
    assert _run(factory, remind_pending, 8) == 1
    assert _run(factory, remind_pending, 9) == 0
    staff_reminders = [
        m for m in outbox(factory, world.staff.user.email) if m.kind == "introductions.reminder"
    ]
    assert len(staff_reminders) == 1
    assert world.member.api.get(url).json()["status"] == "requested"

    assert _run(factory, remind_pending, 15) == 1

    assert world.member.api.get(url).json()["status"] == "expired"
    expired_mail = [
        m for m in outbox(factory, world.member.user.email) if m.idempotency_key.endswith("expired")
    ]
    assert len(expired_mail) == 1
    assert _run(factory, remind_pending, 30) == 0
    assert world.staff.api.post(f"{url}/forward").status_code == 409


def test_forwarded_request_reminds_the_partner_then_expires(factory: Factory) -> None:
    world = make_world(factory)
    introduction_id = forwarded(world)
    assert _run(factory, remind_pending, 8) == 1
    reminders = [
        m for m in outbox(factory, world.partner.user.email) if m.kind == "introductions.reminder"
    ]
    assert len(reminders) == 1
    assert "Мария" not in mail_text(reminders)
    assert _run(factory, remind_pending, 15) == 1
    body = world.member.api.get(f"/api/v1/introductions/{introduction_id}").json()
    assert body["status"] == "expired"
    assert (
        world.partner.api.post(f"/api/v1/introductions/{introduction_id}/accept").status_code == 409
    )


def test_checkins_ask_both_sides_at_three_and_six_months_once(factory: Factory) -> None:
    world = make_world(factory)
    accepted(world)

    assert _run(factory, remind_checkins, 60) == 0
    assert _run(factory, remind_checkins, 95) == 1
    assert _run(factory, remind_checkins, 100) == 0
    assert _run(factory, remind_checkins, 190) == 1
    assert _run(factory, remind_checkins, 400) == 0

    for actor in (world.member, world.partner):
        checkins = [
            m for m in outbox(factory, actor.user.email) if m.kind == "introductions.checkin"
        ]
        assert len(checkins) == 2


def test_personal_data_is_not_in_staff_queue_listing_for_other_members(factory: Factory) -> None:
    world = make_world(factory)
    request(world)
    other = factory.actor()
    other_org = factory.organisation(other.user)
    make_member(factory.database, other_org)
    assert other.api.get("/api/v1/introductions").json() == {"items": [], "total": 0}
    listing = world.staff.api.get("/api/v1/introductions?status=requested").json()
    assert listing["total"] == 1
    assert json.dumps(listing).count("maria@member.example") == 1


def test_export_holds_the_users_introductions_and_outcomes(factory: Factory) -> None:
    world = make_world(factory)
    introduction = accepted(world)
    recorded = world.member.api.post(
        f"/api/v1/introductions/{introduction}/outcome",
        json={"kind": "pilot", "note": "Пилот на площадке"},
    )
    assert recorded.status_code == 201, recorded.text

    mine = world.member.api.get("/api/v1/me/export").json()["introductions"]
    assert [(i["id"], i["role"], i["purpose"]) for i in mine["introductions"]] == [
        (introduction, "requester", "Pilot of our mapping service")
    ]
    assert [(o["introduction_id"], o["kind"], o["note"]) for o in mine["outcomes"]] == [
        (introduction, "pilot", "Пилот на площадке")
    ]
    theirs = world.partner.api.get("/api/v1/me/export").json()["introductions"]
    assert [(i["id"], i["role"]) for i in theirs["introductions"]] == [(introduction, "partner")]
    assert theirs["outcomes"] == []
    assert world.staff.api.get("/api/v1/me/export").json()["introductions"] == {
        "introductions": [],
        "outcomes": [],
    }
