"""Every role's day starts on its workspace: in Russian and English, each role logs in, opens
every item of its menu and every link of its workspace, and meets no 4xx or 5xx (every response
the browser receives is collected, the pages' own files included).

The situation is built once through the JSON API, as the other browser tests do for the steps
they do not test: an applicant with a draft, an application waiting for the reviewers'
declarations, one reviewed and waiting for the chair, a member with a session booked and an
introduction forwarded to a partner (and one waiting for staff), a partner company with its
contact, and the investor of a verified fund. Each workspace is also photographed at 1280 and
390 px wide (under tests/e2e/artifacts/workspaces/), where nothing may scroll sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from playwright.sync_api import Browser, Response

from app.accounts.identifiers import inn_with_check_digits
from tests.e2e.helpers import (
    ARTIFACTS,
    PASSWORD,
    REVIEWERS,
    UPDATE_DOCS,
    Actor,
    Portal,
    assign_reviewers,
    publish_screenshots,
    submit_with_business_plan,
)

SHOTS = ARTIFACTS / "workspaces"
ROLES = ("applicant", "committee1", "chair", "staff", "investor", "partner", "member", "admin")
SECTIONS = {
    "summary": "Satellite monitoring of forests.",
    "innovation": "Own change-detection models.",
    "market": "Regional forestry agencies.",
    "team": "Four engineers and a forester.",
    "funding_needs": "10 million roubles for two years.",
}
GOOD_REVIEW = {
    "scores": {"innovation": 5, "team": 4, "market": 4, "cluster_fit": 5},
    "comment": "Convincing.",
    "recommendation": "approve",
}
_inn_numbers = count(1)


def _inn() -> str:
    return inn_with_check_digits(f"79{next(_inn_numbers):07d}")


def _register(portal: Portal, key: str, name: str) -> int:
    email = f"roles-{key}@e2e.example.org"
    response = portal.api.client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": name,
            "locale": "ru",
            "consent_personal_data": True,
        },
    )
    assert response.status_code == 201, response.text
    portal.users[key] = (email, name)
    return int(response.json()["id"])


def _organisation(portal: Portal, key: str, name: str, kind: str = "sme") -> int:
    created = portal.api.call(
        "POST",
        "/api/v1/organisations",
        portal.email(key),
        expect=201,
        json={
            "name": name,
            "kind": kind,
            "inn": _inn(),
            "region": "Томская область",
            "sector": "software",
            "stage": "early",
        },
    )
    return int(created["id"])


def _application(portal: Portal, key: str, organisation_id: int) -> str:
    created = portal.api.call(
        "POST",
        "/api/v1/applications",
        portal.email(key),
        expect=201,
        json={"organisation_id": organisation_id, **SECTIONS},
    )
    return f"/api/v1/applications/{created['id']}"


def _submitted(portal: Portal, key: str, company: str) -> str:
    """A new applicant's application, submitted and given its reviewers."""
    _register(portal, key, f"Заявитель {key}")
    url = _application(portal, key, _organisation(portal, key, company))
    submit_with_business_plan(portal.api, url, portal.email(key))
    assign_reviewers(portal, url)
    return url


def _reviewed(portal: Portal, url: str) -> None:
    for reviewer in REVIEWERS:
        email = portal.email(reviewer)
        portal.api.call("POST", f"{url}/declaration", email, json={"conflict": False})
        portal.api.call("PUT", f"{url}/reviews/mine", email, json=GOOD_REVIEW)


def _build(portal: Portal) -> None:
    api, staff, admin = portal.api, portal.email("staff"), portal.email("admin")
    # The applicant: a draft without its document.
    _register(portal, "applicant", "Алиса Заявитель")
    _application(portal, "applicant", _organisation(portal, "applicant", "ЛесМонитор"))
    # Reviewers have declarations to make; the chair has an application to decide.
    _submitted(portal, "waiting", "ГеоДанные")
    _reviewed(portal, _submitted(portal, "ready", "АгроСкан"))
    # The member: approved, enrolled in a session ahead.
    url = _submitted(portal, "member", "ТомскСофт")
    _reviewed(portal, url)
    api.call(
        "POST",
        f"{url}/decision",
        portal.email("chair"),
        json={"decision": "approved", "reason": "Good."},
    )
    course = api.call(
        "POST", "/api/v1/courses", staff, expect=201, json={"title": "Pitching", "language": "ru"}
    )
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    session = api.call(
        "POST",
        f"/api/v1/courses/{course['id']}/sessions",
        staff,
        expect=201,
        json={
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 10,
            "location": "Technopark, room 2",
        },
    )
    api.call(
        "POST", f"/api/v1/sessions/{session['id']}/enrolments", portal.email("member"), expect=201
    )
    # The partner company with its contact; one introduction forwarded, one waiting for staff.
    partner_id = _register(portal, "partner", "Павел Партнёров")
    api.call("POST", f"/api/v1/users/{partner_id}/roles", admin, json={"role": "partner"})
    company = _organisation(portal, "partner", "Сибирская Энергетика", kind="large")
    api.call("POST", f"/api/v1/organisations/{company}/verify", staff)
    ask = {"partner_id": company, "purpose": "A pilot", "offer": "Free pilot", "ask": "A site"}
    forwarded = api.call(
        "POST", "/api/v1/introductions", portal.email("member"), expect=201, json=ask
    )
    api.call("POST", f"/api/v1/introductions/{forwarded['id']}/forward", staff)
    second = _organisation(portal, "partner", "Томский Завод", kind="large")
    api.call("POST", f"/api/v1/organisations/{second}/verify", staff)
    ask["partner_id"] = second
    api.call("POST", "/api/v1/introductions", portal.email("member"), expect=201, json=ask)
    # The investor's fund, verified: the member's recommendations and the investor's part.
    fund = _organisation(portal, "investor", "Фонд «Кедр»", kind="investor")
    api.call("POST", f"/api/v1/organisations/{fund}/verify", staff)


@pytest.fixture(scope="module")
def people(portal: Portal, browser: Browser) -> Iterator[dict[str, Actor]]:
    """Each role logged in once; each test switches them to its language."""
    _build(portal)
    actors = {}
    for key in ROLES:
        actors[key] = Actor(portal, browser, key, "ru", "ru-RU")
        actors[key].login(key)
    yield actors
    for actor in actors.values():
        actor.close()


def _links(actor: Actor) -> list[str]:
    """Every item of the menus and every link of the workspace, as the page shows them."""
    hrefs = actor.page.eval_on_selector_all(
        "header nav a[href], main .workspace a[href]",
        "links => links.map(a => a.getAttribute('href'))",
    )
    return sorted({href for href in hrefs if href.startswith("/")})


def _photograph(actor: Actor, role: str, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = actor.page
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 860})
        page.reload()
        page.screenshot(path=str(SHOTS / f"{role}-{lang}-{width}.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{role} ({lang}) scrolls sideways at {width} px: {wide}"
    page.set_viewport_size({"width": 1280, "height": 860})
    page.reload()


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_a_role_opens(
    role: str, lang: str, portal: Portal, people: dict[str, Actor]
) -> None:
    actor = people[role].speak(lang)
    failed: list[tuple[int, str]] = []

    def collect(response: Response) -> None:
        if response.url.startswith(portal.base_url) and response.status >= 400:
            failed.append((response.status, response.url))

    actor.page.on("response", collect)
    try:
        actor.open("/")
        parts = actor.page.locator("main .workspace-part")
        assert parts.count() >= 1
        _photograph(actor, role, lang)
        if role == "member" and lang == "ru":
            actor.shot("workspace-member", docs_name="workspace-member")
        links = _links(actor)
        assert links
        for href in links:
            actor.open(href)
    finally:
        actor.page.remove_listener("response", collect)
    assert failed == []
    if UPDATE_DOCS and role == ROLES[-1] and lang == "en":
        publish_screenshots({"workspace-member": portal.shots["workspace-member"]})
