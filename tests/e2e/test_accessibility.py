"""axe-core finds no serious or critical violation (WCAG 2 A and AA) on the key pages, for
visitors and for staff, in Russian and English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.e2e.helpers import Actor, Portal

PUBLIC_PAGES = (
    "/",
    "/login",
    "/register",
    "/sessions",
    "/members",
    "/library",
    "/numbers",
    "/success-stories",
)
STAFF_PAGES = ("/", "/applications", "/memberships", "/reports", "/staff/outbox", "/pitch-days")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS).response
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def staff(portal: Portal, browser: Browser) -> Iterator[Actor]:
    actor = Actor(portal, browser, "staff", "ru", "ru-RU")
    actor.login("staff")
    yield actor
    actor.close()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_public_pages_have_no_serious_violations(
    portal: Portal, browser: Browser, lang: str
) -> None:
    context = browser.new_context(base_url=portal.base_url, locale=f"{lang}-RU")
    page = context.new_page()
    found = {}
    for path in PUBLIC_PAGES:
        response = page.goto(f"{path}?lang={lang}")
        assert response is not None and response.ok, path
        found[path] = serious_violations(page)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_staff_pages_have_no_serious_violations(staff: Actor, lang: str) -> None:
    staff.speak(lang)
    found = {}
    for path in STAFF_PAGES:
        page = staff.open(path)
        found[path] = serious_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_the_check_finds_what_it_looks_for(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content('<html lang="en"><body><main><input type="text"></main></body></html>')
    assert any(line.startswith("label (critical)") for line in serious_violations(page))
    page.close()
