"""Every page a demo role reaches, at phone width (390 px), in Russian and English: none scrolls
sideways, the header folds into a menu, and the primary action of a list is on screen.

The data are the demo's (`portal demo --no-serve` against the server's database): a user for
every role with applications, memberships, sessions, meetings, introductions, pitch days,
library items and outbox messages present. Each role opens the menu, visits every link it offers
and /account in both languages, and in Russian also one detail page of each kind linked from
those lists (the first link per URL pattern).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.e2e.helpers import ARTIFACTS, UPDATE_DOCS, Portal, publish_screenshots

PHONE = {"width": 390, "height": 844}
ROLES = ("admin", "staff", "chair", "reviewer1", "founder", "founder_en", "investor", "partner")
EMAILS = {
    "founder_en": "founder.en@demo.cluster",
}
# Files, feeds and actions rather than pages.
NOT_PAGES = ("/api/", "/logout", "/static/", "/calendar", "/export", "format=csv", ".ics")
HEADER_MAX_PX = 120
WIDTH_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# The widest element that sticks out, to say where to look.
CULPRIT_JS = """
() => {
  const width = window.innerWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 1 && (!worst || right > worst.right)) {
      worst = {right, what: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')};
    }
  }
  return worst ? `${worst.what} ends at ${Math.round(worst.right)} px` : '';
}
"""


@pytest.fixture(scope="module")
def demo(portal: Portal) -> None:
    portal_cli = str(Path(sys.executable).parent / "portal")
    subprocess.run(
        [portal_cli, "demo", "--no-serve"],
        env=portal.env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture
def phone(portal: Portal, browser: Browser, demo: None) -> Iterator[Page]:
    context = browser.new_context(base_url=portal.base_url, viewport=PHONE, locale="ru-RU")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    yield page
    context.close()


def _log_in(page: Page, role: str) -> None:
    page.goto("/login")
    page.fill("#field-email", EMAILS.get(role, f"{role}@demo.cluster"))
    page.fill("#field-password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type='submit']").first.click()
    expect(page.locator("form[action='/logout']")).to_be_attached()


def _open_menu(page: Page) -> None:
    """The header is folded at phone width: one row, a labelled button that opens the menu."""
    toggle = page.locator(".site-header .menu-toggle")
    expect(toggle).to_be_visible()
    header = page.evaluate("document.querySelector('.site-header').offsetHeight")
    assert header <= HEADER_MAX_PX, f"{page.url}: the folded header is {header} px tall"
    assert toggle.get_attribute("aria-expanded") == "false"
    expect(page.locator(".language-switcher")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    expect(page.locator(".language-switcher")).to_be_visible()


def _switch_to(page: Page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") == lang:
        return
    _open_menu(page)
    with page.expect_navigation():
        page.locator(f".language-switcher button[value='{lang}']").click()
    assert page.locator("html").get_attribute("lang") == lang


def _links(page: Page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    paths = []
    for href in hrefs:
        if not href or not href.startswith("/") or any(part in href for part in NOT_PAGES):
            continue
        paths.append(href.split("#")[0])
    return list(dict.fromkeys(paths))


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _offender(page: Page, path: str) -> str | None:
    response = page.goto(path)
    # A refusal page (403: e.g. the investors for a company that is not yet a member) is a page
    # too, with the layout and a way on; a missing page or a crash is not.
    assert response is not None, path
    assert response.ok or response.status == 403, f"{path}: {response.status}"
    scroll_width, viewport = page.evaluate(WIDTH_JS)
    if scroll_width <= viewport:
        return None
    return f"{path} ({page.locator('html').get_attribute('lang')}): {scroll_width} px wide, " + (
        page.evaluate(CULPRIT_JS)
    )


def _publish(page: Page, name: str) -> None:
    """The README's phone-width pictures (with PORTAL_E2E_UPDATE_SCREENSHOTS=1)."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if UPDATE_DOCS:
        publish_screenshots({name: path})


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_phone_width(phone: Page, role: str) -> None:
    page = phone
    _log_in(page, role)
    offenders: list[str] = []
    for lang in ("ru", "en"):
        page.goto("/")
        _switch_to(page, lang)
        menu = [*_links(page, ".site-header nav a"), "/account"]
        assert len(menu) > 2, f"{role}: the menu offers {menu}"
        details: dict[str, str] = {}
        for path in menu:
            offender = _offender(page, path)
            if offender:
                offenders.append(offender)
            if lang == "ru":
                for link in _links(page, "main a"):
                    if re.search(r"/\d+", link) and _pattern(link) not in details:
                        details[_pattern(link)] = link
        for path in details.values():
            offender = _offender(page, path)
            if offender:
                offenders.append(offender)
    if offenders:
        page.screenshot(path=str(ARTIFACTS / f"phone-{role}.png"), full_page=True)
    assert offenders == [], "\n".join(offenders)


def test_the_enrol_button_is_on_screen_at_phone_width(phone: Page) -> None:
    page = phone
    _log_in(page, "founder_en")
    _switch_to(page, "en")
    page.goto("/sessions")
    button = page.locator("form[action$='/enrol'] button").first
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    _publish(page, "phone-sessions")


def test_lists_become_labelled_cards_with_coloured_statuses(phone: Page) -> None:
    page = phone
    _log_in(page, "staff")
    _switch_to(page, "en")
    page.goto("/applications")
    first_row = page.locator("table.stack tbody tr").first
    assert first_row.evaluate("row => getComputedStyle(row).display") == "block"
    label = page.locator("table.stack td[data-label='Status']").first
    assert label.evaluate("cell => getComputedStyle(cell, '::before').content") == '"Status"'
    approved = page.locator(".status.tone-success", has_text="Approved").first
    expect(approved).to_be_visible()
    _publish(page, "phone-applications")
    colour = approved.evaluate("el => getComputedStyle(el).backgroundColor")
    assert (
        colour
        != page.locator(".status.tone-danger").first.evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        if page.locator(".status.tone-danger").count()
        else True
    )
