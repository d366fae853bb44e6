"""Helpers of the browser tests: the portal under test, bearer-token API calls, actors (one
browser context each), screenshots and the accessibility checks run on every page."""

from __future__ import annotations

import functools
import io
import os
import shutil
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.accounts.identifiers import inn_with_check_digits

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "e2e-portal-Passw0rd-2026"
UPDATE_DOCS = os.environ.get("PORTAL_E2E_UPDATE_SCREENSHOTS") == "1"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@functools.cache
def _russian() -> dict[tuple[str | None, str], str]:
    catalogue: dict[tuple[str | None, str], str] = {}
    for po_file in sorted((ROOT / "app" / "locale" / "ru" / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str) and message.string:
                    catalogue[(message.context, message.id)] = str(message.string)
    return catalogue


def tr(lang: str, msgid: str, context: str | None = None, **values: Any) -> str:
    """The text a user sees for `msgid` in `lang`, from the project's own catalogues."""
    text = _russian().get((context, msgid), msgid) if lang == "ru" else msgid
    return text % values if values else text


class Api:
    """The JSON API with bearer tokens, for the steps that have no page (said in each test)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}

    def token(self, email: str) -> str:
        if email not in self._tokens:
            response = self.client.post(
                "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            self._tokens[email] = response.json()["access_token"]
        return self._tokens[email]

    def call(self, method: str, path: str, email: str, expect: int = 200, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token(email)}"}
        response = self.client.request(method, path, headers=headers, **kw)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None


@dataclass
class Portal:
    base_url: str
    users: dict[str, tuple[str, str]]
    api: Api
    shots: dict[str, Path] = field(default_factory=dict)
    # The server's SQLite file, for what no page shows (the outbox's attachments) and for
    # moving a meeting into the past, which no page or service allows.
    database: Path | None = None
    # The server's environment, for running `portal` commands against its database.
    env: dict[str, str] = field(default_factory=dict)

    def email(self, key: str) -> str:
        return self.users[key][0]


# Labelled means: a <label for>, a wrapping <label>, aria-label or aria-labelledby with text.
_UNLABELLED_JS = """
() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const named = (el) => {
    if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    return ids.some((id) => (document.getElementById(id)?.textContent || '').trim());
  };
  const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
  return [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !skip.includes((el.getAttribute('type') || '').toLowerCase()))
    .filter(visible)
    .filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}
"""

_DUPLICATE_IDS_JS = """
() => {
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}
"""

_UNNAMED_BUTTONS_JS = """
() => [...document.querySelectorAll('button, a[href]')]
  .filter((el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length))
  .filter((el) => !(el.textContent.trim() || (el.getAttribute('aria-label') || '').trim()))
  .map((el) => el.outerHTML.slice(0, 160))
"""


def check_accessibility(page: Page, lang: str) -> None:
    """The basics on every page: the document language, labelled form fields, unique ids (a
    duplicated id breaks <label for>) and buttons and links with a name."""
    assert page.locator("html").get_attribute("lang") == lang, page.url
    assert page.evaluate(_UNLABELLED_JS) == [], f"unlabelled fields on {page.url}"
    assert page.evaluate(_DUPLICATE_IDS_JS) == [], f"duplicate ids on {page.url}"
    assert page.evaluate(_UNNAMED_BUTTONS_JS) == [], f"unnamed controls on {page.url}"


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size or DESKTOP
    assert width <= viewport["width"], f"{page.url} is {width} px wide at {viewport['width']} px"


class Actor:
    """One person in their own browser context (own cookies)."""

    def __init__(
        self, portal: Portal, browser: Browser, name: str, lang: str, accept_language: str
    ) -> None:
        self.portal = portal
        self.name = name
        self.lang = lang
        self.accept_language = accept_language
        self.context: BrowserContext = browser.new_context(
            base_url=portal.base_url,
            locale=accept_language,
            viewport=DESKTOP,  # type: ignore[arg-type]
        )
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        # Destructive buttons ask with window.confirm (app/static/js/portal.js): say yes.
        self.page.on("dialog", lambda dialog: dialog.accept())

    def close(self) -> None:
        self.context.close()

    def open(self, path: str, lang: str | None = None) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.check(lang)
        return self.page

    def check(self, lang: str | None = None) -> None:
        check_accessibility(self.page, lang or self.lang)

    def shot(self, step: str, docs_name: str | None = None) -> None:
        """A full-page screenshot under tests/e2e/artifacts/<lang>/; `docs_name` marks it for
        docs/screenshots/ (copied when PORTAL_E2E_UPDATE_SCREENSHOTS=1)."""
        path = ARTIFACTS / self.lang / f"{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        if docs_name:
            self.portal.shots[docs_name] = path

    def phone_shot(self, step: str, docs_name: str | None = None) -> None:
        """The page at phone width: nothing scrolls sideways; then a screenshot as `shot`."""
        self.page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        try:
            assert_no_sideways_scroll(self.page)
            self.shot(step, docs_name)
        finally:
            self.page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]

    def flash(self) -> str:
        return " ".join(self.page.locator("main .flash").all_inner_texts())

    def expect_flash(self, msgid: str, **values: Any) -> None:
        expect(self.page.locator("main .flash").first).to_contain_text(
            tr(self.lang, msgid, **values)
        )

    def login(self, key: str) -> None:
        """Log in with the keyboard only: type, Tab to the password, Enter submits."""
        email = self.portal.email(key)
        # Before logging in the page speaks the browser's language.
        page = self.open("/login", lang=self.accept_language[:2])
        page.locator("#field-email").focus()
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "field-password"
        page.keyboard.type(PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("form[action='/logout']")).to_be_visible()
        self.use_language()

    def use_language(self) -> None:
        """Switch the interface with the header's language switcher when it differs."""
        page = self.page
        if page.locator("html").get_attribute("lang") != self.lang:
            with page.expect_navigation():
                page.locator(f".language-switcher button[value='{self.lang}']").click()
        self.check()

    def speak(self, lang: str) -> Actor:
        """From now on this actor works in `lang` (switched with the header's switcher)."""
        self.lang = lang
        self.page.goto("/")
        self.use_language()
        return self

    def submit(self, form_selector: str) -> None:
        """Press the submit button of a form and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator(f"{form_selector} button[type='submit']").first.click()
        self.check()


def tiny_pdf(title: str) -> bytes:
    """A minimal valid PDF (one empty page) with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    text = f"BT /F1 12 Tf 20 100 Td ({title}) Tj ET".encode("ascii")
    objects.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def publish_screenshots(shots: dict[str, Path]) -> None:
    """Copy the chosen screenshots to docs/screenshots/ (the README's tour)."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in shots.items():
        shutil.copyfile(path, DOCS_SCREENSHOTS / f"{name}.png")


# --- Set-ups through the JSON API: what other journeys show in the browser -----------------------

_inn_numbers = count(1)
SECTIONS = {
    "summary": "Drone mapping for agriculture.",
    "innovation": "Own photogrammetry pipeline.",
    "market": "Agricultural holdings of Siberia.",
    "team": "Five engineers, two agronomists.",
    "funding_needs": "15 million roubles for a pilot.",
}
GOOD_REVIEW = {
    "scores": {"innovation": 5, "team": 4, "market": 4, "cluster_fit": 5},
    "comment": "Strong team.",
    "recommendation": "approve",
}


def new_inn() -> str:
    return inn_with_check_digits(f"78{next(_inn_numbers):07d}")


def verified_fund(portal: Portal) -> tuple[int, str]:
    """The investor's verified investor organisation: the member journey's, or a new one."""
    api, email = portal.api, portal.email("investor")
    mine = api.call("GET", "/api/v1/organisations?kind=investor", email)["items"]
    verified = [o for o in mine if o["verified"]]
    if verified:
        return verified[0]["id"], verified[0]["name"]
    created = api.call(
        "POST",
        "/api/v1/organisations",
        email,
        expect=201,
        json={
            "name": "Венчурный фонд «Северный ветер»",
            "kind": "investor",
            "inn": new_inn(),
            "region": "Москва",
            "sector": "software",
        },
    )
    api.call("POST", f"/api/v1/organisations/{created['id']}/verify", portal.email("staff"))
    return created["id"], created["name"]


def submit_with_business_plan(api: Api, url: str, email: str) -> None:
    """Attach the business plan an application needs, then submit it."""
    api.call(
        "POST",
        f"{url}/attachments",
        email,
        expect=201,
        files={"file": ("business-plan.pdf", tiny_pdf("Business plan"), "application/pdf")},
        data={"kind": "business_plan"},
    )
    api.call("POST", f"{url}/submit", email)


REVIEWERS = ("committee1", "committee2", "committee3")


def assign_reviewers(portal: Portal, url: str) -> None:
    """The chair assigns the three reviewers of these tests by name: automatic assignment would
    also choose among the demo's committee, which another module loads into the same portal."""
    for key in REVIEWERS:
        reviewer_id = portal.api.call("GET", "/api/v1/me", portal.email(key))["id"]
        portal.api.call(
            "POST",
            f"{url}/assignments",
            portal.email("chair"),
            expect=201,
            json={"reviewer_id": reviewer_id},
        )


def registered_user(portal: Portal, key: str, name: str, lang: str) -> str:
    """A person registered through the API, known to the portal as `key`; their email."""
    email = f"{key}@e2e.example.org"
    response = portal.api.client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": name,
            "locale": lang,
            "consent_personal_data": True,
        },
    )
    assert response.status_code == 201, response.text
    portal.users[key] = (email, name)
    return email


def review_and_approve(portal: Portal, url: str) -> None:
    """The chair assigns the three reviewers, each declares no conflict and reviews, and the
    chair approves: the committee's part, which the member journey walks in the browser."""
    api = portal.api
    assign_reviewers(portal, url)
    for reviewer in REVIEWERS:
        api.call("POST", f"{url}/declaration", portal.email(reviewer), json={"conflict": False})
        api.call("PUT", f"{url}/reviews/mine", portal.email(reviewer), json=GOOD_REVIEW)
    api.call(
        "POST",
        f"{url}/decision",
        portal.email("chair"),
        json={"decision": "approved", "reason": "Three positive reviews."},
    )


def approved_member(portal: Portal, key: str, name: str, company: str, lang: str) -> int:
    """A user whose organisation the committee approved (the member journey's subject)."""
    email = registered_user(portal, key, name, lang)
    api = portal.api
    organisation = api.call(
        "POST",
        "/api/v1/organisations",
        email,
        expect=201,
        json={
            "name": company,
            "kind": "sme",
            "inn": new_inn(),
            "region": "Новосибирская область",
            "sector": "geoinformation",
            "stage": "early",
        },
    )
    application = api.call(
        "POST",
        "/api/v1/applications",
        email,
        expect=201,
        json={"organisation_id": organisation["id"], **SECTIONS},
    )
    url = f"/api/v1/applications/{application['id']}"
    submit_with_business_plan(api, url, email)
    review_and_approve(portal, url)
    return int(organisation["id"])
