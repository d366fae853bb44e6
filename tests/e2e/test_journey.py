"""The member's journey in a real browser, once in Russian and once in English.

register → organisation → application with a PDF → the chair assigns three reviewers → each
declares no conflict and reviews → the chair approves → the member enrols in the business-plan
session and attends → requests a meeting with an investor → the investor accepts.

Every step the entrepreneur takes goes through the pages, and so do the chair's, the reviewers',
the investor's and most of the staff's. Two things have no page and use the JSON API with a
bearer token: the investor's profile and availability (`PUT /api/v1/organisations/{id}/
investor-profile`, `POST /api/v1/investors/me/availability`) and the training session, created
with `POST /api/v1/courses/{id}/sessions` because it must start a few seconds later (the page's
form takes minutes) so that attendance can be marked right after the member enrols.

On every page: `<html lang>` is the journey's language, every visible field has a label, ids
are unique, buttons and links have a name. The login and registration forms are filled with the
keyboard alone (Tab, Space, Enter); the first Tab on a page reaches the skip link. The operators
log in once for both journeys and switch language with the header's switcher.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from playwright.sync_api import Browser, expect

from app.accounts.identifiers import inn_with_check_digits
from tests.e2e.helpers import (
    PASSWORD,
    Actor,
    Portal,
    tiny_pdf,
    tr,
)

SESSION_LEAD_SECONDS = 15
_inn_numbers = count(1)


def _inn() -> str:
    return inn_with_check_digits(f"77{next(_inn_numbers):07d}")


@pytest.fixture(scope="module")
def operators(portal: Portal, browser: Browser) -> Iterator[dict[str, Actor]]:
    """Staff, the chair, the reviewers and the investor, each logged in once (with the keyboard)
    in a browser that asks for Russian; each journey switches them to its language."""
    actors = {}
    for key in ("staff", "chair", "committee1", "committee2", "committee3", "investor"):
        actors[key] = Actor(portal, browser, key, "ru", "ru-RU")
        actors[key].login(key)
    yield actors
    for actor in actors.values():
        actor.close()


@pytest.fixture(scope="module")
def investor(portal: Portal, operators: dict[str, Actor]) -> str:
    """An investor in a verified investor organisation with published availability."""
    person = operators["investor"]
    page = person.open("/organisations/new")
    page.fill("#field-name", "Венчурный фонд «Северный ветер»")
    page.select_option("#field-kind", "investor")
    page.fill("#field-inn", _inn())
    page.fill("#field-region", "Москва")
    page.select_option("#field-sector", "software")
    page.fill("#field-description", "Посевные и ранние инвестиции в ИТ.")
    person.submit("form[action='/organisations/new']")
    organisation_id = int(re.search(r"/organisations/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    person.shot("00-investor-organisation")

    staff = operators["staff"]
    staff.open(f"/organisations/{organisation_id}")
    staff.submit(f"form[action='/organisations/{organisation_id}/verify']")
    staff.expect_flash("The organisation has been verified.")

    # No page exists for these two: the JSON API with the investor's bearer token.
    email = portal.email("investor")
    portal.api.call(
        "PUT",
        f"/api/v1/organisations/{organisation_id}/investor-profile",
        email,
        json={
            "sectors": ["software", "fintech"],
            "stages": ["seed", "early"],
            "ticket_min_rub": 5_000_000,
            "ticket_max_rub": 50_000_000,
            "thesis": "B2B software for industry.",
        },
    )
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    portal.api.call(
        "POST",
        "/api/v1/investors/me/availability",
        email,
        expect=201,
        json={
            "starts_at": tomorrow.isoformat(),
            "ends_at": (tomorrow + timedelta(hours=3)).isoformat(),
            "slot_minutes": 30,
        },
    )
    return email


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_member_journey(
    lang: str, portal: Portal, browser: Browser, operators: dict[str, Actor], investor: str
) -> None:
    other = "en" if lang == "ru" else "ru"
    # The browser asks for the other language, so the choice on the page is what counts.
    browser_locale = {"ru": "ru-RU", "en": "en-US"}[other]
    docs = lang == "en"  # the README's tour shows the English pages
    email = f"founder-{lang}@e2e.example.org"
    company = {"ru": "ООО «Геоскан-Лаб»", "en": "Geoscan Lab LLC"}[lang]

    # --- Registration: the language is chosen on the page --------------------------------------
    member = Actor(portal, browser, "member", lang, browser_locale)
    page = member.page
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == other
    if lang == "en":
        # The header's language switcher (a cookie for a visitor).
        with page.expect_navigation():
            page.locator(".language-switcher button[value='en']").click()
        member.check()
        member.shot("01-home", "home" if docs else None)
    page.goto("/register")
    assert page.locator("html").get_attribute("lang") == (lang if lang == "en" else other)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    def tab_to(field_id: str) -> None:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == field_id

    page.locator("#field-full_name").focus()
    page.keyboard.type({"ru": "Мария Основательница", "en": "Mary Founder"}[lang])
    tab_to("field-email")
    page.keyboard.type(email)
    tab_to("field-password")
    page.keyboard.type(PASSWORD)
    tab_to("field-locale")
    if page.locator("#field-locale").input_value() != lang:
        page.keyboard.press("ArrowUp" if lang == "ru" else "ArrowDown")
    assert page.locator("#field-locale").input_value() == lang
    tab_to("field-timezone")
    tab_to("field-consent_personal_data")
    page.keyboard.press("Space")
    assert page.locator("#field-consent_personal_data").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/privacy"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    member.shot("02-register")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/organisations/new"), page.locator(".field-error").all_inner_texts()
    member.check()
    member.expect_flash("Your account has been created. Now register your organisation.")

    # --- The organisation ------------------------------------------------------------------------
    page.fill("#field-name", company)
    page.select_option("#field-kind", "sme")
    page.fill("#field-inn", _inn())
    page.fill("#field-region", {"ru": "Новосибирская область", "en": "Novosibirsk Oblast"}[lang])
    page.select_option("#field-sector", "geoinformation")
    page.select_option("#field-stage", "early")
    page.fill("#field-description", "Drone mapping for agriculture.")
    member.shot("03-organisation-form")
    member.submit("form[action='/organisations/new']")
    member.expect_flash("The organisation has been registered.")
    expect(page.locator("h1")).to_contain_text(company)
    member.shot("04-organisation")

    # --- The application with a PDF ------------------------------------------------------------
    member.open("/applications/new")
    for name, text in {
        "summary": "Aerial survey and GIS analytics for farms.",
        "innovation": "Own photogrammetry pipeline.",
        "market": "Agricultural holdings of Siberia.",
        "team": "Five engineers, two agronomists.",
        "funding_needs": "15 million roubles for a pilot.",
    }.items():
        page.get_by_label(tr(lang, name.replace("_", " ").capitalize())).fill(text)
    member.submit("form[action='/applications/new']")
    member.expect_flash("The draft is saved.")
    application_id = int(re.search(r"/applications/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    page.get_by_label(tr(lang, "PDF document"), exact=True).set_input_files(
        files=[
            {
                "name": "business-plan.pdf",
                "mimeType": "application/pdf",
                "buffer": tiny_pdf("Business plan"),
            }
        ]
    )
    member.submit(f"form[action='/applications/{application_id}/attachments']")
    member.expect_flash("The document is attached.")
    expect(page.get_by_role("link", name="business-plan.pdf")).to_be_visible()
    member.submit(f"form[action='/applications/{application_id}/submit']")
    member.expect_flash("The application is submitted to the committee.")
    expect(page.locator(".badge-submitted")).to_be_visible()
    member.shot("05-application-submitted", "application" if docs else None)
    application_url = f"/applications/{application_id}"

    # --- The chair assigns three reviewers -----------------------------------------------------
    chair = operators["chair"].speak(lang)
    chair.open("/applications")
    expect(chair.page.get_by_role("link", name=company)).to_be_visible()
    chair.open(application_url)
    chair.submit(f"form[action='{application_url}/assignments']:has(input[name='auto'])")
    chair.expect_flash("Reviewers are assigned.")
    expect(chair.page.locator("section[aria-labelledby='committee-title'] tbody tr")).to_have_count(
        3
    )
    expect(chair.page.locator(".badge-under_review")).to_be_visible()
    chair.shot("06-reviewers-assigned")

    # --- Each reviewer declares no conflict, then reviews ---------------------------------------
    for number, key in enumerate(("committee1", "committee2", "committee3"), start=1):
        reviewer = operators[key].speak(lang)
        reviewer.open("/applications")
        reviewer.open(application_url)
        reviewer.page.get_by_label(tr(lang, "I have no conflict of interest")).check()
        reviewer.submit(f"form[action='{application_url}/declaration']")
        reviewer.expect_flash("Your declaration is recorded.")
        expect(reviewer.page.get_by_role("link", name="business-plan.pdf")).to_be_visible()
        form = reviewer.page.locator(f"form[action='{application_url}/review']")
        for criterion, score in (("innovation", "5"), ("team", "4"), ("market", "4")):
            form.locator(f"#field-{criterion}").select_option(score)
        # The criteria's labels are the rubric's, kept by staff in both languages.
        form.get_by_label({"ru": "Соответствие кластеру", "en": "Cluster fit"}[lang]).select_option(
            "5"
        )
        form.get_by_label(tr(lang, "Comment")).fill(f"Strong team (reviewer {number}).")
        form.get_by_label(tr(lang, "Recommendation")).select_option("approve")
        if number == 1:
            reviewer.shot("07-review-form")
        reviewer.submit(f"form[action='{application_url}/review']")
        reviewer.expect_flash("Your review is saved.")

    # --- The chair approves ---------------------------------------------------------------------
    chair.open("/applications")
    chair.shot("08-chair-board", "chair-board" if docs else None)
    chair.open(application_url)
    expect(chair.page.locator("section[aria-labelledby='committee-title']")).to_contain_text(
        "3 / 3"
    )
    chair.page.get_by_label(tr(lang, "Decision")).select_option("approved")
    chair.page.get_by_label(tr(lang, "Reason for the applicant")).fill("Three positive reviews.")
    chair.shot("09-decision-form")
    chair.submit(f"form[action='{application_url}/decision']")
    chair.expect_flash("The decision is recorded and the applicant is informed.")
    expect(chair.page.locator(".badge-approved")).to_be_visible()

    member.open(application_url)
    expect(page.locator(".badge-approved")).to_be_visible()
    expect(page.locator("a[href$='/certificate']")).to_be_visible()
    # The applicant never sees who reviewed.
    assert "Рецензент" not in page.locator("main").inner_text()
    member.shot("10-application-approved")

    # --- Training: staff create the flagged course; the member enrols and attends --------------
    staff = operators["staff"].speak(lang)
    staff.open("/courses")
    course_title = {"ru": "Бизнес-план для инвестора", "en": "A business plan for investors"}[lang]
    staff.page.locator("#field-title").fill(course_title)
    staff.page.locator("#field-description").fill("Four hours on the business plan.")
    staff.page.locator("#field-language").select_option(lang)
    staff.page.locator("#field-members_only").check()
    staff.page.locator("#field-investor_readiness").check()
    staff.submit("form[action='/courses']")
    staff.expect_flash("The course has been created.")
    course_id = int(re.search(r"/courses/(\d+)$", staff.page.url).group(1))  # type: ignore[union-attr]
    starts_at = datetime.now(UTC) + timedelta(seconds=SESSION_LEAD_SECONDS)
    session = portal.api.call(
        "POST",
        f"/api/v1/courses/{course_id}/sessions",
        portal.email("staff"),
        expect=201,
        json={
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=4)).isoformat(),
            "capacity": 12,
            "location": "Technopark, room 204",
        },
    )

    member.open("/sessions")
    member.shot("11-training-catalogue", "training" if docs else None)
    with page.expect_navigation():
        page.locator(f"a[href='/sessions/{session['id']}']").first.click()
    member.check()
    member.submit(f"form[action='/sessions/{session['id']}/enrol']")
    member.expect_flash("You are enrolled.")
    member.shot("12-enrolled")

    time.sleep(max(0.0, (starts_at - datetime.now(UTC)).total_seconds() + 0.5))
    staff.open(f"/sessions/{session['id']}")
    row = staff.page.locator("#attendance tbody tr", has_text=email)
    with staff.page.expect_navigation():
        row.locator("button[value='yes']").click()
    staff.check()
    expect(staff.page.locator("main .flash").first).to_contain_text(re.compile(r"BP-\S+"))
    staff.shot("13-attendance")

    member.open("/trainings/mine")
    expect(page.locator("main")).to_contain_text(re.compile(r"BP-\S+"))
    member.shot("14-certificate")

    # --- The investor meeting -------------------------------------------------------------------
    member.open("/investors")
    card = page.locator(".card", has_text="Северный ветер")
    card.get_by_label(tr(lang, "Message to the investor")).fill(
        "We would like to present our pilot with two agricultural holdings."
    )
    member.shot("15-investors")
    with page.expect_navigation():
        card.locator("button[type='submit']").click()
    member.check()
    member.expect_flash("Your request was sent.")

    person = operators["investor"].speak(lang)
    person.open("/investor-inbox")
    request_card = person.page.locator("section.card", has_text=company)
    slot = request_card.locator("select[name='starts_at'] option").first.get_attribute("value")
    request_card.locator("select[name='starts_at']").select_option(slot)
    person.shot("16-investor-inbox", "investor-inbox" if docs else None)
    with person.page.expect_navigation():
        request_card.locator("form[action$='/accept'] button[type='submit']").click()
    person.check()
    person.expect_flash("The meeting is scheduled.")

    member.open("/meetings")
    meetings = page.locator("main table").first
    expect(meetings.locator("tbody tr")).to_have_count(1)
    expect(meetings).to_contain_text("Игорь Инвестор")
    member.shot("17-meeting")
    mine = portal.api.call("GET", "/api/v1/meetings", email)
    assert [m["status"] for m in mine["items"]] == ["scheduled"]
    assert datetime.fromisoformat(mine["items"][0]["starts_at"]) == datetime.fromisoformat(slot)
    member.close()
