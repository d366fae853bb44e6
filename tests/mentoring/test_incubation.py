"""Business creation: projects without an INN, the incubation track and the incubatee tier,
incorporation into an SME, and investor meetings opening once incorporated."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organisation, OrganisationKind, Role
from app.audit import AuditEntry
from tests.factories import Factory, make_member
from tests.meetings.helpers import investor, open_window
from tests.membership.helpers import SECTIONS
from tests.mentoring.helpers import approve_incubation, new_inn, register_project


def test_a_project_registers_without_an_inn_and_other_kinds_still_need_one(
    factory: Factory,
) -> None:
    team = factory.actor()
    project = register_project(team)
    assert (project["kind"], project["inn"], project["ogrn"]) == ("project", None, None)
    second = register_project(team, name="Второй проект")  # no INN is no duplicate
    assert second["id"] != project["id"]

    bad = team.api.post(
        "/api/v1/organisations",
        json={
            "name": "X",
            "kind": "project",
            "inn": "1234567890",
            "region": "Москва",
            "sector": "software",
        },
    )
    assert bad.status_code == 422  # an INN given is still checked
    for kind in ("sme", "large", "investor"):
        refused = team.api.post(
            "/api/v1/organisations",
            json={"name": "X", "kind": kind, "region": "Москва", "sector": "software"},
        )
        assert refused.status_code == 422, kind
        assert ["body", "inn"] in [e["loc"] for e in refused.json()["detail"]]
    with factory.database.session_scope(write=False) as session:
        kinds = session.scalars(select(Organisation.kind).order_by(Organisation.id)).all()
    assert kinds == [OrganisationKind.project, OrganisationKind.project]


def test_a_project_applies_on_the_incubation_track_only(factory: Factory) -> None:
    team = factory.actor()
    project = register_project(team)
    refused = team.api.post(
        "/api/v1/applications", json={"organisation_id": project["id"], **SECTIONS}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "track"]
    accepted = team.api.post(
        "/api/v1/applications",
        json={"organisation_id": project["id"], "track": "incubation", **SECTIONS},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["track"] == "incubation"


def test_incubation_approval_makes_an_incubatee_on_the_register_and_certificate(
    factory: Factory,
) -> None:
    team = factory.actor()
    project = register_project(team, name="НейроПоле")
    member = factory.actor()
    company = member.api.post(
        "/api/v1/organisations",
        json={
            "name": "АгроСофт",
            "kind": "sme",
            "inn": new_inn(),
            "region": "Москва",
            "sector": "software",
        },
    ).json()
    approve_incubation(factory, team, project["id"])
    make_member(factory.database, factory_org(factory, company["id"]))

    members = factory.actor().api.get("/api/v1/members").json()["items"]
    assert {m["name"]: m["tier"] for m in members} == {
        "НейроПоле": "incubatee",
        "АгроСофт": "member",
    }

    page = factory.actor(browser=True, locale="en").browser.get("/members?lang=en").text
    assert "Incubatee" in page
    ru_page = factory.actor(browser=True).browser.get("/members?lang=ru").text
    assert "Инкубируемый" in ru_page

    browser = factory.browser_client(team.user)
    certificate = browser.get(f"/members/{project['id']}/certificate?lang=en").text
    assert "is an incubatee of the innovation cluster." in certificate
    assert '<dd class="tier">Incubatee</dd>' in certificate


def factory_org(factory: Factory, organisation_id: int) -> Organisation:
    with factory.database.session_scope(write=False) as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        session.expunge(organisation)
    return organisation


def test_the_owner_incorporates_a_project_keeping_its_history(factory: Factory) -> None:
    team = factory.actor()
    project = register_project(team)
    approve_incubation(factory, team, project["id"])
    url = f"/api/v1/organisations/{project['id']}/incorporate"

    assert factory.actor().api.post(url, json={"inn": new_inn()}).status_code == 404
    assert factory.actor(Role.staff).api.post(url, json={"inn": new_inn()}).status_code == 404
    bad = team.api.post(url, json={"inn": "1234567890"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "inn"]
    assert team.api.post(url, json={}).status_code == 422

    inn = new_inn()
    done = team.api.post(url, json={"inn": inn})
    assert done.status_code == 200, done.text
    assert (done.json()["id"], done.json()["kind"], done.json()["inn"]) == (
        project["id"],
        "sme",
        inn,
    )
    assert team.api.post(url, json={"inn": new_inn()}).status_code == 409  # only once

    # The same organisation keeps its membership (still an incubatee) and its application.
    members = team.api.get("/api/v1/members").json()["items"]
    assert [(m["organisation_id"], m["tier"]) for m in members] == [(project["id"], "incubatee")]
    applications = team.api.get("/api/v1/applications").json()["items"]
    assert [a["organisation_id"] for a in applications] == [project["id"]]
    with factory.database.session_scope(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "organisation",
                AuditEntry.entity_id == str(project["id"]),
            )
        ).all()
    assert "organisation.incorporated" in actions


def test_an_incubatee_requests_investor_meetings_only_once_incorporated(
    factory: Factory,
) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    team = factory.actor()
    project = register_project(team)
    approve_incubation(factory, team, project["id"])
    body = {"investor_id": inv.id, "message": "Мы ищем посевные инвестиции."}

    refused = team.api.post("/api/v1/meeting-requests", json=body)
    assert refused.status_code == 403
    assert (
        "founded" in team.api.post("/api/v1/meeting-requests?lang=en", json=body).json()["detail"]
    )
    browser = factory.browser_client(team.user)
    page = browser.get(f"/investors/{inv.id}/request?lang=en").text
    assert 'id="requirements"' in page and "<textarea" not in page

    incorporated = team.api.post(
        f"/api/v1/organisations/{project['id']}/incorporate", json={"inn": new_inn()}
    )
    assert incorporated.status_code == 200
    accepted = team.api.post("/api/v1/meeting-requests", json=body)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["organisation_id"] == project["id"]


def test_the_owner_incorporates_from_the_organisation_page(factory: Factory) -> None:
    from tests.html import csrf_from

    team = factory.actor(browser=True, locale="en")
    project = register_project(team)
    assert team.browser is not None
    url = f"/organisations/{project['id']}"
    page = team.browser.get(f"{url}?lang=en")
    assert 'class="incorporate-form"' in page.text and "The company is founded" in page.text
    bad = team.browser.post(
        f"{url}/incorporate", data={"inn": "1234567890", "csrf_token": csrf_from(page.text)}
    )
    assert bad.status_code == 422 and "The INN is not valid" in bad.text
    done = team.browser.post(
        f"{url}/incorporate", data={"inn": new_inn(), "csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 303, done.text
    after = team.browser.get(f"{url}?lang=ru").text
    assert 'class="incorporate-form"' not in after
    assert "Малое или среднее предприятие" in after
    stranger = factory.actor(browser=True)
    assert stranger.browser is not None
    refused = stranger.browser.post(
        f"{url}/incorporate",
        data={"inn": new_inn(), "csrf_token": csrf_from(stranger.browser.get("/account").text)},
    )
    assert refused.status_code == 404
