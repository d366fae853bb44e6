"""Business creation in a real browser, once in Russian and once in English.

A founding team without a company registers a project → applies on the incubation track with a
business plan → the committee approves it as an incubatee (its certificate says so) → staff pair
it with a mentor → the mentor logs a session, which the team sees → the owner records the company
once founded (a wrong INN is refused first) → the organisation continues as a small or medium
company, with the same membership.

The committee's part (assignment, declarations, reviews and the decision) goes through the JSON
API: the member journey (test_journey.py) walks it in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from itertools import count

import pytest
from playwright.sync_api import Browser, expect

from app.accounts.identifiers import inn_with_check_digits
from tests.e2e.helpers import (
    Actor,
    Portal,
    registered_user,
    review_and_approve,
    tiny_pdf,
    tr,
)

SECTIONS = {
    "summary": "Drones that count seedlings in greenhouses.",
    "innovation": "A counting model trained on our own images.",
    "market": "Greenhouse holdings of the region.",
    "team": "Three engineers and an agronomist; the company is not founded yet.",
    "funding_needs": "3 million roubles for a prototype.",
}
_inn_numbers = count(1)


def _inn() -> str:
    return inn_with_check_digits(f"76{next(_inn_numbers):07d}")


@pytest.fixture(scope="module")
def operators(portal: Portal, browser: Browser) -> Iterator[dict[str, Actor]]:
    """Staff and the mentor, each logged in once; each journey switches them to its language."""
    actors = {key: Actor(portal, browser, key, "ru", "ru-RU") for key in ("staff", "mentor")}
    for key, actor in actors.items():
        actor.login(key)
    yield actors
    for actor in actors.values():
        actor.close()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_incubation_journey(
    lang: str, portal: Portal, browser: Browser, operators: dict[str, Actor]
) -> None:
    docs = lang == "en"  # the README's tour shows the English pages
    key = f"incubation-{lang}"
    registered_user(portal, key, {"ru": "Вера Основатель", "en": "Vera Founder"}[lang], lang)
    project = {"ru": "Команда «Агродрон»", "en": "Agrodrone team"}[lang]
    founder = Actor(portal, browser, key, lang, {"ru": "ru-RU", "en": "en-US"}[lang])
    founder.login(key)
    page = founder.page

    # --- The project: a founding team without a company, so without an INN ---------------------
    founder.open("/organisations/new")
    page.fill("#field-name", project)
    page.select_option("#field-kind", "project")
    page.fill("#field-region", {"ru": "Томская область", "en": "Tomsk Oblast"}[lang])
    page.select_option("#field-sector", "geoinformation")
    page.fill("#field-description", "Drones for greenhouses.")
    founder.submit("form[action='/organisations/new']")
    founder.expect_flash("The organisation has been registered.")
    organisation_id = int(re.search(r"/organisations/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator("main")).to_contain_text(
        tr(lang, "Project (founding team, no company yet)")
    )

    # --- The application on the incubation track ------------------------------------------------
    founder.open("/applications/new")
    page.select_option("#field-organisation_id", label=project)
    page.select_option("#field-track", "incubation")
    for name, text in SECTIONS.items():
        page.get_by_label(tr(lang, name.replace("_", " ").capitalize())).fill(text)
    founder.submit("form[action='/applications/new']")
    founder.expect_flash("The draft is saved.")
    application_id = int(re.search(r"/applications/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator(".tag.track")).to_have_text(tr(lang, "Incubation track"))
    page.get_by_label(tr(lang, "PDF document"), exact=True).set_input_files(
        files=[
            {
                "name": "business-plan.pdf",
                "mimeType": "application/pdf",
                "buffer": tiny_pdf("Business plan"),
            }
        ]
    )
    founder.submit(f"form[action='/applications/{application_id}/attachments']")
    founder.expect_flash("The document is attached.")
    founder.submit(f"form[action='/applications/{application_id}/submit']")
    founder.expect_flash("The application is submitted to the committee.")
    founder.shot("incubation-01-application", "incubation-application" if docs else None)

    review_and_approve(portal, f"/api/v1/applications/{application_id}")
    founder.open(f"/applications/{application_id}")
    expect(page.locator(".badge-approved")).to_be_visible()
    founder.open(f"/members/{organisation_id}/certificate")
    expect(page.locator("dd.tier")).to_have_text(tr(lang, "Incubatee"))
    expect(page.locator("main")).to_contain_text(
        tr(lang, "is an incubatee of the innovation cluster.")
    )
    number = page.locator(".certificate dd").first.inner_text()

    # --- Staff pair the incubatee with the mentor -----------------------------------------------
    staff = operators["staff"].speak(lang)
    staff.open("/mentorships")
    staff.page.select_option("#field-organisation_id", label=project)
    staff.page.select_option("#field-mentor_id", label=portal.users["mentor"][1])
    staff.submit("form[action='/mentorships/new']")
    staff.expect_flash("The mentor has been paired with the organisation.")
    mentorship = re.search(r"/mentorships/\d+$", staff.page.url).group(0)  # type: ignore[union-attr]

    # --- The mentor logs a session from their list ----------------------------------------------
    mentor = operators["mentor"].speak(lang)
    mentor.open("/mentorships")
    with mentor.page.expect_navigation():
        mentor.page.locator(f"a[href='{mentorship}']").click()
    mentor.check()
    notes = {"ru": "Разобрали финансовую модель.", "en": "Went through the financial model."}[lang]
    mentor.page.fill("#field-held_on", date.today().isoformat())
    mentor.page.fill("#field-minutes", "90")
    mentor.page.fill("#field-notes", notes)
    mentor.submit(f"form[action='{mentorship}/sessions']")
    mentor.expect_flash("The session has been logged.")
    expect(mentor.page.locator("main")).to_contain_text(notes)
    mentor.shot("incubation-02-mentor-session", "mentor-sessions" if docs else None)

    # --- The team sees it, also on a phone -------------------------------------------------------
    founder.open(mentorship)
    expect(page.locator("main")).to_contain_text(notes)
    expect(page.locator("form.session-form")).to_have_count(0)  # only the mentor logs sessions
    founder.phone_shot("incubation-03-sessions-phone")

    # --- The company is founded: a wrong INN first, then the right one --------------------------
    founder.open(f"/organisations/{organisation_id}")
    page.fill("#field-inn", "1234567890")
    founder.submit(f"form[action='/organisations/{organisation_id}/incorporate']")
    expect(page.locator("#field-inn")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-inn")).to_have_value("1234567890")  # what was typed is kept
    page.fill("#field-inn", _inn())
    founder.submit(f"form[action='/organisations/{organisation_id}/incorporate']")
    founder.expect_flash("The company is registered: the organisation continues as it.")
    expect(page.locator("main")).to_contain_text(tr(lang, "Small or medium company"))
    expect(page.locator("form.incorporate-form")).to_have_count(0)
    founder.shot("incubation-04-incorporated")

    # The same membership continues: the certificate keeps its number.
    founder.open(f"/members/{organisation_id}/certificate")
    expect(page.locator(".certificate dd").first).to_have_text(number)
    founder.close()
