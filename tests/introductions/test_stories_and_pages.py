from __future__ import annotations

from app.introductions.models import Introduction, SuccessStory
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.introductions.helpers import World, accepted, forwarded, make_world, request

STORY = {
    "title_ru": "ГеоСтарт и BigCorp запустили пилот",
    "title_en": "GeoStart and BigCorp launched a pilot",
    "body_ru": "Пилот на трёх объектах.",
    "body_en": "A pilot on three sites.",
}


def _story(factory: Factory, world: World) -> int:
    introduction_id = accepted(world)
    outcome = world.member.api.post(
        f"/api/v1/introductions/{introduction_id}/outcome",
        json={"kind": "pilot", "note": "Pilot on three sites"},
    ).json()
    response = world.staff.api.post(
        "/api/v1/success-stories", json={**STORY, "outcome_id": outcome["id"]}
    )
    assert response.status_code == 201, response.text
    assert response.json()["published"] is False
    return int(response.json()["id"])


def test_story_is_public_only_after_both_organisations_consent(factory: Factory) -> None:
    world = make_world(factory)
    story_id = _story(factory, world)
    anonymous = TestClient(factory.app)

    assert anonymous.get(f"/api/v1/success-stories/{story_id}").status_code == 404
    assert anonymous.get("/api/v1/success-stories").json() == {"items": [], "total": 0}

    member_consent = world.member.api.post(f"/api/v1/success-stories/{story_id}/consent")
    assert member_consent.json()["member_consent"] is True
    assert member_consent.json()["published"] is False
    assert anonymous.get(f"/api/v1/success-stories/{story_id}").status_code == 404
    assert STORY["title_ru"] not in anonymous.get("/success-stories?lang=ru").text

    partner_consent = world.partner.api.post(f"/api/v1/success-stories/{story_id}/consent")
    assert partner_consent.json()["published"] is True

    assert anonymous.get("/api/v1/success-stories").json()["total"] == 1
    assert STORY["title_ru"] in Page(anonymous.get("/success-stories?lang=ru").text).text
    english = Page(anonymous.get("/success-stories?lang=en").text).text
    assert STORY["title_en"] in english and STORY["title_ru"] not in english
    assert anonymous.get(f"/success-stories/{story_id}?lang=en").status_code == 200

    withdrawn = world.partner.api.post(f"/api/v1/success-stories/{story_id}/withdraw-consent")
    assert withdrawn.json()["published"] is False
    assert anonymous.get(f"/api/v1/success-stories/{story_id}").status_code == 404
    assert anonymous.get(f"/success-stories/{story_id}").status_code == 404
    assert STORY["title_ru"] not in anonymous.get("/success-stories?lang=ru").text


def test_an_edited_story_needs_both_consents_again(factory: Factory) -> None:
    from tests.introductions.helpers import outbox

    world = make_world(factory)
    story_id = _story(factory, world)
    for side in (world.member, world.partner):
        side.api.post(f"/api/v1/success-stories/{story_id}/consent")
    url = f"/api/v1/success-stories/{story_id}"
    asked_before = len(outbox(factory, world.member.user.email))

    assert world.member.api.patch(url, json={"title_ru": "Другое"}).status_code == 403
    assert world.staff.api.patch(url, json={"title_ru": ""}).status_code == 422
    unchanged = world.staff.api.patch(url, json={"title_ru": STORY["title_ru"]})
    assert unchanged.json()["published"] is True

    edited = world.staff.api.patch(url, json={"body_ru": "Пилот на пяти объектах."})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["body_ru"], edited.json()["title_en"]) == (
        "Пилот на пяти объектах.",
        STORY["title_en"],
    )
    assert (edited.json()["published"], edited.json()["member_consent"]) == (False, False)
    assert TestClient(factory.app).get(url).status_code == 404
    assert len(outbox(factory, world.member.user.email)) == asked_before + 1
    for side in (world.member, world.partner):
        side.api.post(f"/api/v1/success-stories/{story_id}/consent")
    assert TestClient(factory.app).get(url).json()["body_ru"] == "Пилот на пяти объектах."
    assert world.staff.api.patch("/api/v1/success-stories/99999", json={}).status_code == 404


def test_only_staff_draft_stories_and_only_the_two_sides_consent(factory: Factory) -> None:
    world = make_world(factory)
    story_id = _story(factory, world)
    stranger = factory.actor()
    assert stranger.api.post(f"/api/v1/success-stories/{story_id}/consent").status_code == 404
    assert world.staff.api.post(f"/api/v1/success-stories/{story_id}/consent").status_code == 403
    draft = world.member.api.post("/api/v1/success-stories", json={**STORY, "outcome_id": 1})
    assert draft.status_code == 403
    missing = world.staff.api.post("/api/v1/success-stories", json={**STORY, "outcome_id": 99999})
    assert missing.status_code == 422
    assert factory.count(SuccessStory) == 1
    with factory.database.session_scope(write=False) as session:
        story = session.get(SuccessStory, story_id)
        assert story is not None
        consents = (story.member_consent_at, story.partner_consent_at, story.published_at)
    assert consents == (None, None, None)


def test_pages_hide_contacts_until_acceptance_and_show_them_after(factory: Factory) -> None:
    world = make_world(factory, browser=True)
    introduction_id = forwarded(world)
    assert world.member.browser and world.partner.browser
    member_page = world.member.browser.get(f"/introductions/{introduction_id}").text
    partner_page = world.partner.browser.get(f"/introductions/{introduction_id}").text
    inbox = world.partner.browser.get("/introductions/inbox").text
    assert "Pilot of our mapping service" in Page(partner_page).text
    # Not in the markup at all: neither shown nor in an attribute or a link.
    for text in ("Pavel Partnerov", "pavel@bigcorp.example"):
        assert text not in member_page
    for text in ("Мария Членова", "maria@member.example"):
        assert text not in partner_page and text not in inbox

    page = world.partner.browser.get(f"/introductions/{introduction_id}")
    response = world.partner.browser.post(
        f"/introductions/{introduction_id}/accept", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303

    member_page = Page(world.member.browser.get(f"/introductions/{introduction_id}").text).text
    partner_page = Page(world.partner.browser.get(f"/introductions/{introduction_id}").text).text
    assert "pavel@bigcorp.example" in member_page and "Pavel Partnerov" in member_page
    assert "maria@member.example" in partner_page and "Мария Членова" in partner_page


def test_member_requests_through_the_directory_and_staff_screen_in_the_queue(
    factory: Factory,
) -> None:
    world = make_world(factory, browser=True)
    assert world.member.browser and world.staff.browser
    directory = world.member.browser.get("/partners")
    assert directory.status_code == 200
    assert "BigCorp" in Page(directory.text).text
    assert "pavel@bigcorp.example" not in directory.text

    form = world.member.browser.get(f"/introductions/new?partner_id={world.partner_org.id}")
    created = world.member.browser.post(
        "/introductions/new",
        data={
            "csrf_token": csrf_from(form.text),
            "partner_id": str(world.partner_org.id),
            "purpose": "Supply sensors",
            "offer": "",
            "ask": "",
        },
    )
    assert created.status_code == 303, created.text
    assert factory.count(Introduction) == 1
    mine = Page(world.member.browser.get("/introductions").text).text
    assert "Supply sensors" in mine

    queue = world.staff.browser.get("/introductions/queue")
    assert "Supply sensors" in Page(queue.text).text
    introduction_id = created.headers["location"].rsplit("/", 1)[-1]
    screened = world.staff.browser.post(
        f"/introductions/{introduction_id}/screen-out",
        data={"csrf_token": csrf_from(queue.text), "reason": "Too early"},
    )
    assert screened.status_code == 303
    detail = Page(world.member.browser.get(f"/introductions/{introduction_id}").text).text
    assert "Too early" in detail


def test_directory_and_queue_are_closed_to_the_wrong_people(factory: Factory) -> None:
    world = make_world(factory, browser=True)
    request(world)
    outsider = factory.actor(browser=True)
    assert outsider.browser and world.member.browser
    assert outsider.browser.get("/partners").status_code == 403
    assert world.member.browser.get("/introductions/queue").status_code == 403
