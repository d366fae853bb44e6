"""A confirmed deal told as a success story: staff draft it, the member organisation and (when
it is on the portal) the investor consent before it is public; refusals; the deal's page with
its form in Russian and English; the region's success_stories indicator counting it."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.accounts.models import OrganisationKind, OrganisationMember, OrganisationRole, Role
from app.audit import AuditEntry
from app.deals.models import Deal
from app.demo import load_demo
from app.introductions.models import SuccessStory
from app.notifications.models import Notification
from tests.client import TestClient
from tests.factories import Actor, Factory, make_member
from tests.html import Page, csrf_from

STORY = {
    "title_ru": "ГеоСтарт привлёк посевной раунд",
    "title_en": "GeoStart raised a seed round",
    "body_ru": "Фонд вложил 12 млн рублей.",
    "body_en": "The fund invested 12 million roubles.",
}


class World:
    def __init__(self, factory: Factory) -> None:
        self.factory = factory
        self.owner = factory.actor(full_name="Owner", browser=True)
        self.organisation = factory.organisation(self.owner.user, name="GeoStart")
        make_member(factory.database, self.organisation)
        self.investor = factory.actor(Role.investor, full_name="Investor", browser=True)
        self.fund = factory.organisation(
            self.investor.user, kind=OrganisationKind.investor, name="North Fund", verified=True
        )
        self.staff = factory.actor(Role.staff, browser=True)
        self.stranger = factory.actor()
        self.anonymous = TestClient(factory.app)

    def deal(self, *, confirmed: bool = True, investor_name: str | None = None) -> int:
        payload: dict[str, Any] = {
            "organisation_id": self.organisation.id,
            "amount_rub": 12_000_000,
            "instrument": "equity",
            "closed_on": (date.today() - timedelta(days=3)).isoformat(),
            "source": "external",
        }
        if investor_name:
            payload["investor_name"] = investor_name
        else:
            payload["investor_organisation_id"] = self.fund.id
        response = self.owner.api.post("/api/v1/deals", json=payload)
        assert response.status_code == 201, response.text
        deal_id = int(response.json()["id"])
        if confirmed:
            assert self.staff.api.post(f"/api/v1/deals/{deal_id}/confirm").status_code == 200
        return deal_id

    def draft(self, deal_id: int, actor: Actor | None = None, **changes: Any) -> Any:
        return (actor or self.staff).api.post(
            f"/api/v1/deals/{deal_id}/story", json={**STORY, **changes}
        )


def _public_ids(client: TestClient) -> list[int]:
    return [item["id"] for item in client.get("/api/v1/success-stories").json()["items"]]


def test_staff_draft_a_story_that_is_public_once_member_and_investor_consent(
    factory: Factory,
) -> None:
    world = World(factory)
    deal_id = world.deal()

    response = world.draft(deal_id)

    assert response.status_code == 201, response.text
    story = response.json()
    assert story["deal_id"] == deal_id
    assert story["outcome_id"] is None and story["introduction_id"] is None
    assert story["title_en"] == STORY["title_en"]
    assert story["published"] is False
    assert world.staff.api.get(f"/api/v1/deals/{deal_id}").json()["story_id"] == story["id"]
    with factory.database.session_scope(write=False) as session:
        stored = session.get(SuccessStory, story["id"])
        assert stored is not None
        assert stored.member_organisation_id == world.organisation.id
        assert stored.partner_organisation_id == world.fund.id
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "success_story")
        ).one()
        assert (audit.action, audit.data) == ("success_story.draft", {"deal_id": deal_id})
        asked = set(
            session.scalars(
                select(Notification.user_id).where(
                    Notification.link == f"/success-stories/{story['id']}"
                )
            )
        )
    assert asked == {world.owner.id, world.investor.id}

    url = f"/api/v1/success-stories/{story['id']}"
    assert world.anonymous.get(url).status_code == 404
    assert world.stranger.api.get(url).status_code == 404
    member = world.owner.api.post(f"{url}/consent")
    assert member.status_code == 200, member.text
    assert member.json()["member_consent"] is True and member.json()["published"] is False
    assert world.anonymous.get(url).status_code == 404
    assert _public_ids(world.anonymous) == []

    investor = world.investor.api.post(f"{url}/consent")
    assert investor.json()["partner_consent"] is True and investor.json()["published"] is True
    assert _public_ids(world.anonymous) == [story["id"]]
    assert STORY["title_ru"] in Page(world.anonymous.get("/success-stories?lang=ru").text).text
    english = Page(world.anonymous.get(f"/success-stories/{story['id']}?lang=en").text).text
    assert STORY["title_en"] in english and STORY["body_en"] in english

    withdrawn = world.investor.api.post(f"{url}/withdraw-consent")
    assert withdrawn.json()["published"] is False
    assert world.anonymous.get(url).status_code == 404
    assert _public_ids(world.anonymous) == []


def test_an_investor_known_only_by_name_leaves_the_consent_to_the_member(factory: Factory) -> None:
    world = World(factory)
    deal_id = world.deal(investor_name="Фонд содействия инновациям")
    story_id = world.draft(deal_id).json()["id"]

    page = world.owner.browser.get(f"/success-stories/{story_id}?lang=en")  # type: ignore[union-attr]
    assert page.status_code == 200
    text = Page(page.text).text
    assert "published only when the member organisation consents" in text
    assert "Investor:" not in text and "Partner:" not in text
    consent = world.owner.browser.post(  # type: ignore[union-attr]
        f"/success-stories/{story_id}/consent", data={"csrf_token": csrf_from(page.text)}
    )
    assert consent.status_code == 303

    assert _public_ids(world.anonymous) == [story_id]
    # The fund took no part in this deal: it is not asked and may not consent.
    assert world.investor.api.post(f"/api/v1/success-stories/{story_id}/consent").status_code == (
        403
    )


def test_refusals_leave_no_story(factory: Factory) -> None:
    world = World(factory)
    reported = world.deal(confirmed=False)
    confirmed = world.deal()
    colleague = factory.actor()
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=world.organisation.id,
                user_id=colleague.id,
                role=OrganisationRole.member,
            )
        )

    assert world.draft(reported).status_code == 409
    assert world.draft(confirmed, world.owner).status_code == 403
    assert world.draft(confirmed, world.stranger).status_code == 403
    assert world.anonymous.post(f"/api/v1/deals/{confirmed}/story", json=STORY).status_code == 401
    assert world.draft(999_999).status_code == 404
    bad = world.draft(confirmed, title_en="", body_ru="x" * 20_001)
    assert bad.status_code == 422
    assert {error["loc"][-1] for error in bad.json()["detail"]} == {"title_en", "body_ru"}
    assert factory.count(SuccessStory) == 0

    first = world.draft(confirmed)
    assert first.status_code == 201
    again = world.draft(confirmed)
    assert again.status_code == 409
    assert "уже есть история успеха" in again.json()["detail"]
    assert factory.count(SuccessStory) == 1
    # A member who is not an owner does not speak for the organisation.
    story_url = f"/api/v1/success-stories/{first.json()['id']}/consent"
    assert colleague.api.post(story_url).status_code == 404


def test_staff_draft_the_story_on_the_deal_page(factory: Factory) -> None:
    world = World(factory)
    deal_id = world.deal()
    staff, owner = world.staff.browser, world.owner.browser
    assert staff is not None and owner is not None

    listing = Page(staff.get("/deals?lang=en").text)
    assert f"/deals/{deal_id}" in [link.href for link in listing.links()]
    assert "Draft a success story" in listing.text
    english = staff.get(f"/deals/{deal_id}?lang=en")
    assert english.status_code == 200
    page = Page(english.text)
    assert "Draft a success story" in page.text and "North Fund" in page.text
    assert page.unlabelled_controls() == []
    page.form(f"/deals/{deal_id}/story")
    russian = Page(staff.get(f"/deals/{deal_id}?lang=ru").text)
    assert "Написать историю успеха" in russian.text
    assert russian.html_lang == "ru"
    owners = Page(owner.get(f"/deals/{deal_id}?lang=en").text)
    assert "Draft a success story" not in owners.text
    assert all(form.action != f"/deals/{deal_id}/story" for form in owners.forms)

    refused = staff.post(
        f"/deals/{deal_id}/story?lang=en",
        data={"csrf_token": csrf_from(english.text), **STORY, "title_en": ""},
    )
    assert refused.status_code == 422
    assert STORY["body_ru"] in refused.text  # what was typed is kept
    assert factory.count(SuccessStory) == 0

    sent = staff.post(
        f"/deals/{deal_id}/story?lang=en", data={"csrf_token": csrf_from(english.text), **STORY}
    )
    assert sent.status_code == 303, sent.text
    with factory.database.session_scope(write=False) as session:
        deal = session.get(Deal, deal_id)
        assert deal is not None and deal.story_id is not None
        story_id = deal.story_id
    assert sent.headers["location"] == f"/success-stories/{story_id}"
    after = Page(staff.get(f"/deals/{deal_id}?lang=en").text)
    assert "Draft a success story" not in after.text
    assert f"/success-stories/{story_id}" in [link.href for link in after.links()]
    twice = staff.post(
        f"/deals/{deal_id}/story?lang=en", data={"csrf_token": csrf_from(english.text), **STORY}
    )
    assert twice.status_code == 303 and twice.headers["location"] == f"/deals/{deal_id}"
    assert factory.count(SuccessStory) == 1

    # Both owners find the consent form on the story's page.
    for side in (world.owner, world.investor):
        assert side.browser is not None
        story_page = Page(side.browser.get(f"/success-stories/{story_id}?lang=en").text)
        story_page.form(f"/success-stories/{story_id}/consent")
        assert "Investor: has not consented" in story_page.text


def test_the_success_stories_indicator_counts_a_published_deal_story(factory: Factory) -> None:
    world = World(factory)
    year = datetime.now(ZoneInfo("Europe/Moscow")).year
    story_id = world.draft(world.deal()).json()["id"]

    def indicator() -> int:
        items = world.staff.api.get("/api/v1/reports/indicators", params={"year": year}).json()[
            "items"
        ]
        return {item["code"]: item["value"] for item in items}["success_stories"]

    assert indicator() == 0
    world.owner.api.post(f"/api/v1/success-stories/{story_id}/consent")
    assert indicator() == 0
    world.investor.api.post(f"/api/v1/success-stories/{story_id}/consent")
    assert indicator() == 1


def test_the_demo_tells_its_seed_round_as_one_published_story(factory: Factory) -> None:
    for _ in range(2):
        with factory.database.session_scope() as session:
            load_demo(session)

    with factory.database.session_scope(write=False) as session:
        told = session.scalars(select(Deal).where(Deal.story_id.is_not(None))).all()
        assert len(told) == 1
        story = told[0].story
        assert story is not None and story.is_published
        assert story.partner_organisation_id == told[0].investor_organisation_id is not None
        story_id = story.id
    anonymous = TestClient(factory.app)
    assert story_id in _public_ids(anonymous)
    assert "ГеоТех Сибирь" in Page(anonymous.get("/success-stories?lang=ru").text).text


def test_concurrent_drafts_make_one_story(factory: Factory) -> None:
    world = World(factory)
    deal_id = world.deal()
    staff = [factory.actor(Role.staff) for _ in range(4)]
    barrier = threading.Barrier(len(staff))
    codes: list[int] = []

    def draft(actor: Actor) -> None:
        barrier.wait()
        codes.append(world.draft(deal_id, actor).status_code)

    threads = [threading.Thread(target=draft, args=(actor,)) for actor in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes) == [201, 409, 409, 409]
    assert factory.count(SuccessStory) == 1
