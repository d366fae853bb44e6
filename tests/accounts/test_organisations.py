from __future__ import annotations

from app.accounts.models import Organisation, OrganisationMember
from tests.factories import Factory

BODY = {
    "name": "ГеоТех Сибирь",
    "kind": "sme",
    "inn": "7707083893",
    "ogrn": "1027700132195",
    "region": "Новосибирская область",
    "sector": "geoinformation",
    "stage": "seed",
    "website": "https://geotech.example",
    "description": "Геоинформационные сервисы",
}


def test_create_organisation_makes_the_caller_its_owner(factory: Factory) -> None:
    actor = factory.actor()
    response = actor.api.post("/api/v1/organisations", json=BODY)

    assert response.status_code == 201
    body = response.json()
    assert body["inn"] == "7707083893"
    assert body["verified"] is False
    assert body["members"] == [
        {"user_id": actor.id, "full_name": actor.user.full_name, "role": "owner"}
    ]


def test_invalid_inn_and_ogrn_are_field_errors(factory: Factory) -> None:
    actor = factory.actor()
    for field, value in (("inn", "7707083894"), ("inn", "12345"), ("ogrn", "1027700132196")):
        response = actor.api.post("/api/v1/organisations", json={**BODY, field: value})
        assert response.status_code == 422, (field, value)
        assert response.json()["detail"][0]["loc"] == ["body", field]
    assert factory.count(Organisation) == 0


def test_twelve_digit_inn_and_fifteen_digit_ogrnip_are_accepted(factory: Factory) -> None:
    actor = factory.actor()
    response = actor.api.post(
        "/api/v1/organisations", json={**BODY, "inn": "500100732259", "ogrn": "304500116000157"}
    )
    assert response.status_code == 201
    stored = actor.api.get(f"/api/v1/organisations/{response.json()['id']}").json()
    assert (stored["inn"], stored["ogrn"]) == ("500100732259", "304500116000157")


def test_duplicate_inn_is_a_conflict(factory: Factory) -> None:
    actor = factory.actor()
    assert actor.api.post("/api/v1/organisations", json=BODY).status_code == 201
    again = actor.api.post("/api/v1/organisations", json=BODY)
    assert again.status_code == 409
    assert again.json()["detail"] == "Организация с таким ИНН уже зарегистрирована."
    assert factory.count(Organisation) == 1
    assert factory.count(OrganisationMember) == 1


def test_unknown_sector_is_refused(factory: Factory) -> None:
    actor = factory.actor()
    response = actor.api.post("/api/v1/organisations", json={**BODY, "sector": "astrology"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sector"]
    assert factory.count(Organisation) == 0


def test_a_stranger_cannot_see_or_edit_an_organisation(factory: Factory) -> None:
    owner = factory.actor()
    stranger = factory.actor()
    organisation_id = owner.api.post("/api/v1/organisations", json=BODY).json()["id"]

    assert stranger.api.get(f"/api/v1/organisations/{organisation_id}").status_code == 404
    patch = stranger.api.patch(f"/api/v1/organisations/{organisation_id}", json={"name": "Hacked"})
    assert patch.status_code == 404
    assert owner.api.get(f"/api/v1/organisations/{organisation_id}").json()["name"] == BODY["name"]


def test_owner_and_staff_edit_and_staff_verifies_large_members(factory: Factory) -> None:
    owner = factory.actor()
    staff = factory.actor("staff")
    member = factory.actor()
    organisation_id = owner.api.post(
        "/api/v1/organisations", json={**BODY, "kind": "large"}
    ).json()["id"]

    assert (
        owner.api.patch(
            f"/api/v1/organisations/{organisation_id}", json={"description": "Новое"}
        ).json()["description"]
        == "Новое"
    )
    assert member.api.get(f"/api/v1/organisations/{organisation_id}").status_code == 404
    assert owner.api.post(f"/api/v1/organisations/{organisation_id}/verify").status_code == 403

    verified = staff.api.post(f"/api/v1/organisations/{organisation_id}/verify")

    assert verified.status_code == 200 and verified.json()["verified"] is True
    visible = member.api.get(f"/api/v1/organisations/{organisation_id}")
    assert visible.status_code == 200
    assert visible.json()["members"] is None
    assert staff.api.post(f"/api/v1/organisations/{organisation_id}/verify").status_code == 409


def test_small_companies_are_not_verified_by_staff(factory: Factory) -> None:
    owner = factory.actor()
    staff = factory.actor("staff")
    organisation_id = owner.api.post("/api/v1/organisations", json=BODY).json()["id"]
    refused = staff.api.post(f"/api/v1/organisations/{organisation_id}/verify")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Малые и средние предприятия вступают в кластер через заявку на членство."
    )
    assert owner.api.get(f"/api/v1/organisations/{organisation_id}").json()["verified"] is False


def test_invited_colleague_joins_through_the_emailed_link(factory: Factory) -> None:
    owner = factory.actor()
    colleague = factory.actor(browser=True)
    organisation_id = owner.api.post("/api/v1/organisations", json=BODY).json()["id"]

    response = owner.api.post(
        f"/api/v1/organisations/{organisation_id}/invitations",
        json={"email": colleague.user.email},
    )
    assert response.status_code == 201
    from sqlalchemy import select

    from app.notifications.models import OutboxMessage

    with factory.database.session_scope() as session:
        body = session.scalars(
            select(OutboxMessage.body_text).where(
                OutboxMessage.kind == "account.organisation_invitation"
            )
        ).one()
    link = next(line for line in body.split() if "/invitations/" in line)
    path = link.removeprefix("http://testserver")
    browser = colleague.browser
    assert browser is not None
    from tests.html import csrf_from

    page = browser.get(path)
    accepted = browser.post(path, data={"csrf_token": csrf_from(page.text)})
    assert accepted.status_code == 303
    assert factory.count(OrganisationMember) == 2
