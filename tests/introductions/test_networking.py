"""Networking between members: profiles, the member directory, suggestions and member-to-member
introductions through the brokered double opt-in."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Organisation, OrganisationMember, Role
from app.introductions.models import OrganisationProfile
from tests.factories import Actor, Factory, make_member
from tests.html import Page, csrf_from

CONTACT_KEYS = ("email", "phone", "contact", "full_name", "people", "website")


@dataclass
class Members:
    geo: Actor
    geo_org: Organisation
    drone: Actor
    drone_org: Organisation
    staff: Actor
    outsider: Actor


def make_members(factory: Factory, *, browser: bool = False) -> Members:
    geo = factory.actor(
        browser=browser, full_name="Мария Членова", email="maria@geo.example", locale="en"
    )
    geo_org = factory.organisation(geo.user, name="ГеоСтарт", sector="software")
    make_member(factory.database, geo_org)
    drone = factory.actor(
        browser=browser, full_name="Dmitry Dronov", email="dmitry@drone.example", locale="en"
    )
    drone_org = factory.organisation(
        drone.user, name="Drone Works", sector="hardware", region="Томская область"
    )
    make_member(factory.database, drone_org)
    staff = factory.actor(Role.staff, browser=browser)
    outsider = factory.actor(browser=browser)
    factory.organisation(outsider.user, name="Not A Member")
    return Members(geo, geo_org, drone, drone_org, staff, outsider)


def put_profile(actor: Actor, organisation: Organisation, **lists: list[str]) -> None:
    body = {"offers": [], "needs": [], "technologies": [], **lists}
    response = actor.api.put(f"/api/v1/organisations/{organisation.id}/profile", json=body)
    assert response.status_code == 200, response.text


def test_profile_round_trip_for_the_owner_and_refusals_for_others(factory: Factory) -> None:
    world = make_members(factory)
    body = {
        "offers": [" Aerial   photography ", "aerial photography", "Mapping"],
        "needs": ["GIS software"],
        "technologies": ["Python"],
    }
    response = world.geo.api.put(f"/api/v1/organisations/{world.geo_org.id}/profile", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "organisation_id": world.geo_org.id,
        "offers": ["Aerial photography", "Mapping"],
        "needs": ["GIS software"],
        "technologies": ["Python"],
    }
    with factory.database.session_scope(write=False) as session:
        stored = session.get(OrganisationProfile, world.geo_org.id)
        assert stored is not None
        assert stored.offers == ["Aerial photography", "Mapping"]
        assert stored.needs == ["GIS software"]

    path = f"/api/v1/organisations/{world.geo_org.id}/profile"
    assert world.drone.api.put(path, json=body).status_code == 404  # may not see it
    assert world.staff.api.put(path, json=body).status_code == 403  # sees it, not the owner
    assert factory.app and world.outsider.api.put(path, json=body).status_code == 404
    assert world.geo.api.put("/api/v1/organisations/999999/profile", json=body).status_code == 404
    for bad in (
        {"offers": ["x"] * 21},
        {"offers": ["x" * 101]},
        {"needs": [""]},
        {"technologies": "Python"},
        {"offers": [], "contacts": []},
    ):
        assert world.geo.api.put(path, json=bad).status_code == 422, bad
    response = world.geo.api.get("/api/v1/directory")
    own = next(i for i in response.json()["items"] if i["organisation_id"] == world.geo_org.id)
    assert own["offers"] == ["Aerial photography", "Mapping"]


def test_directory_is_for_members_and_staff_and_shows_no_contacts(factory: Factory) -> None:
    world = make_members(factory, browser=True)
    put_profile(world.drone, world.drone_org, offers=["Aerial photography"], needs=["GIS"])
    anonymous = factory.app and world.geo.api.__class__(factory.app)
    assert anonymous.get("/api/v1/directory").status_code == 401
    assert world.outsider.api.get("/api/v1/directory").status_code == 403
    assert world.outsider.api.get("/api/v1/directory/suggestions").status_code == 403
    assert world.staff.api.get("/api/v1/directory").status_code == 200

    response = world.geo.api.get("/api/v1/directory")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "organisation_id": world.drone_org.id,
                "name": "Drone Works",
                "sector": "hardware",
                "region": "Томская область",
                "tier": "member",
                "offers": ["Aerial photography"],
                "needs": ["GIS"],
                "technologies": [],
            },
            {
                "organisation_id": world.geo_org.id,
                "name": "ГеоСтарт",
                "sector": "software",
                "region": "Новосибирская область",
                "tier": "member",
                "offers": [],
                "needs": [],
                "technologies": [],
            },
        ],
        "total": 2,
    }
    for item in response.json()["items"]:
        assert not set(item) & set(CONTACT_KEYS)
    for secret in ("dmitry@drone.example", "Dmitry Dronov", "maria@geo.example", "Not A Member"):
        assert secret not in response.text

    assert world.geo.browser and world.outsider.browser and world.staff.browser
    page = world.geo.browser.get("/directory")
    assert page.status_code == 200
    for secret in ("dmitry@drone.example", "Dmitry Dronov", "Not A Member"):
        assert secret not in page.text
    assert "Drone Works" in Page(page.text).text
    assert world.outsider.browser.get("/directory").status_code == 403
    assert world.staff.browser.get("/directory").status_code == 200
    assert "/directory" in world.geo.browser.get("/").text
    assert 'href="/directory"' not in world.outsider.browser.get("/").text


def test_directory_search_and_filters(factory: Factory) -> None:
    world = make_members(factory)
    put_profile(world.drone, world.drone_org, offers=["Аэрофотосъёмка"], technologies=["Lidar"])
    put_profile(world.geo, world.geo_org, offers=["Mapping"])

    def names(query: str) -> list[str]:
        response = world.staff.api.get(f"/api/v1/directory?{query}")
        assert response.status_code == 200, response.text
        return [i["name"] for i in response.json()["items"]]

    assert names("q=аэрофотосъёмка") == ["Drone Works"]  # case-insensitive, Cyrillic
    assert names("q=LIDAR") == ["Drone Works"]
    assert names("q=геостарт") == ["ГеоСтарт"]
    assert names("q=mapping") == ["ГеоСтарт"]
    assert names("q=nothing+like+this") == []
    assert names("sector=hardware") == ["Drone Works"]
    assert names("region=Новосибирская+область") == ["ГеоСтарт"]
    assert names("sector=software&region=Томская+область") == []
    assert names("q=50%25+off") == []
    response = world.staff.api.get("/api/v1/directory?limit=1&offset=1")
    assert response.json()["total"] == 2 and len(response.json()["items"]) == 1


def test_suggestions_come_from_offers_needs_and_sector_with_reasons(factory: Factory) -> None:
    world = make_members(factory, browser=True)
    same_sector = factory.actor()
    same_sector_org = factory.organisation(same_sector.user, name="Code Lab", sector="software")
    make_member(factory.database, same_sector_org)
    unrelated = factory.actor()
    unrelated_org = factory.organisation(unrelated.user, name="Farm", sector="other")
    make_member(factory.database, unrelated_org)
    put_profile(unrelated, unrelated_org, offers=["Vegetables"], needs=["Tractors"])
    put_profile(world.geo, world.geo_org, offers=["GIS software"], needs=["aerial photography"])
    put_profile(
        world.drone,
        world.drone_org,
        offers=["Aerial Photography and surveys"],
        needs=["GIS"],
    )

    response = world.geo.api.get("/api/v1/directory/suggestions")
    assert response.status_code == 200, response.text
    suggestions = response.json()
    assert [(s["name"], s["reasons"]) for s in suggestions] == [
        (
            "Drone Works",
            [
                "They offer Aerial Photography and surveys, which you need",
                "They need GIS, which you offer",
            ],
        ),
        ("Code Lab", ["Same sector as yours"]),
    ]
    assert all(s["organisation_id"] != world.geo_org.id for s in suggestions)
    assert world.staff.api.get("/api/v1/directory/suggestions").json() == []

    assert world.geo.browser
    page = Page(world.geo.browser.get("/directory").text)
    assert "Suggested for you" in page.text
    assert "They offer Aerial Photography and surveys, which you need" in page.text
    links = [a.get("href") for a in page.find_all("a") if a.text == "Request an introduction"]
    assert any(f"partner_id={world.drone_org.id}" in href for href in links)
    assert not any(f"partner_id={world.geo_org.id}&" in href for href in links)
    home = Page(world.geo.browser.get("/").text).text
    assert "Members you could work with" in home


def test_member_to_member_introduction_hides_contacts_until_the_owner_accepts(
    factory: Factory,
) -> None:
    world = make_members(factory, browser=True)
    assert world.geo.browser and world.drone.browser
    form = world.geo.browser.get(
        f"/introductions/new?partner_id={world.drone_org.id}&purpose=Joint+survey"
    )
    assert form.status_code == 200 and "Joint survey" in form.text
    response = world.geo.browser.post(
        "/introductions/new",
        data={
            "csrf_token": csrf_from(form.text),
            "partner_id": str(world.drone_org.id),
            "purpose": "Joint survey",
        },
    )
    assert response.status_code == 303, response.text
    introduction_id = int(response.headers["location"].rsplit("/", 1)[1])

    # Not forwarded yet: the target's owner does not see it.
    path = f"/api/v1/introductions/{introduction_id}"
    assert world.drone.api.get(path).status_code == 404
    assert world.drone.api.post(f"{path}/accept").status_code == 404
    forwarded = world.staff.api.post(f"/api/v1/introductions/{introduction_id}/forward")
    assert forwarded.status_code == 200, forwarded.text

    seen = world.drone.api.get(f"/api/v1/introductions/{introduction_id}")
    assert seen.status_code == 200
    assert seen.json()["member_contact"] is None
    assert "maria@geo.example" not in seen.text and "Мария Членова" not in seen.text
    asked = world.geo.api.get(f"/api/v1/introductions/{introduction_id}")
    assert asked.json()["partner_contact"] is None and "dmitry@" not in asked.text
    listed = world.drone.api.get("/api/v1/introductions").json()
    assert [i["id"] for i in listed["items"]] == [introduction_id]
    home = Page(world.drone.browser.get("/").text)
    assert "Introduction requests to answer" in home.text
    page = world.drone.browser.get(f"/introductions/{introduction_id}").text
    assert "maria@geo.example" not in page and "Мария Членова" not in page
    # A colleague at the target organisation who is not its owner does not answer.
    colleague = factory.actor()
    with factory.database.session_scope() as session:
        session.add(OrganisationMember(organisation_id=world.drone_org.id, user_id=colleague.id))
    assert colleague.api.post(f"{path}/accept").status_code == 404
    assert world.outsider.api.post(f"{path}/accept").status_code == 404

    accepted = world.drone.api.post(f"/api/v1/introductions/{introduction_id}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["member_contact"]["email"] == "maria@geo.example"
    asked = world.geo.api.get(f"/api/v1/introductions/{introduction_id}").json()
    assert asked["partner_contact"]["email"] == "dmitry@drone.example"


def test_introductions_still_refuse_organisations_without_membership(factory: Factory) -> None:
    world = make_members(factory)
    other = factory.organisation(world.outsider.user, name="Lapsed")
    response = world.geo.api.post(
        "/api/v1/introductions", json={"partner_id": other.id, "purpose": "Hello"}
    )
    assert response.status_code == 422
    response = world.geo.api.post(
        "/api/v1/introductions", json={"partner_id": world.geo_org.id, "purpose": "Hello"}
    )
    assert response.status_code == 422


def test_the_owner_edits_the_profile_from_the_organisation_page(factory: Factory) -> None:
    world = make_members(factory, browser=True)
    assert world.geo.browser and world.staff.browser
    organisation_page = world.geo.browser.get(f"/organisations/{world.geo_org.id}").text
    assert f'href="/organisations/{world.geo_org.id}/profile"' in organisation_page
    form = world.geo.browser.get(f"/organisations/{world.geo_org.id}/profile")
    assert form.status_code == 200
    response = world.geo.browser.post(
        f"/organisations/{world.geo_org.id}/profile",
        data={
            "csrf_token": csrf_from(form.text),
            "offers": "Mapping\r\n\r\nGIS software\r\n",
            "needs": "Drones",
            "technologies": "",
        },
    )
    assert response.status_code == 303, response.text
    with factory.database.session_scope(write=False) as session:
        stored = session.get(OrganisationProfile, world.geo_org.id)
        assert stored is not None
        assert (stored.offers, stored.needs, stored.technologies) == (
            ["Mapping", "GIS software"],
            ["Drones"],
            [],
        )
    too_long = world.geo.browser.post(
        f"/organisations/{world.geo_org.id}/profile",
        data={"csrf_token": csrf_from(form.text), "offers": "x" * 101},
    )
    assert too_long.status_code == 422
    assert world.staff.browser.get(f"/organisations/{world.geo_org.id}/profile").status_code == 403
