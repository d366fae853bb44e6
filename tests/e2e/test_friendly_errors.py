"""A browser never gets a raw JSON error: an oversized upload through the application's document
form shows the portal's page (header, menu) with the message and a way back to the form; the
application is unchanged.

The applicant, the organisation and the draft are made with the JSON API (they are the journey's
steps, tested there); the upload and everything after go through the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from app.accounts.identifiers import inn_with_check_digits
from tests.e2e.helpers import PASSWORD, Actor, Portal, tiny_pdf, tr

OVERSIZED_MB = 11


@pytest.fixture
def applicant(portal: Portal, browser: Browser) -> Iterator[tuple[Actor, int]]:
    email, name = "uploader@e2e.example.org", "Ульяна Загрузкина"
    response = portal.api.client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": name,
            "consent_personal_data": True,
        },
    )
    assert response.status_code == 201, response.text
    portal.users["uploader"] = (email, name)
    organisation = portal.api.call(
        "POST",
        "/api/v1/organisations",
        email,
        expect=201,
        json={
            "name": "Большие Файлы",
            "kind": "sme",
            "inn": inn_with_check_digits("770999001"),
            "region": "Томская область",
            "sector": "software",
            "website": "big-files.example.ru",
            "description": "",
        },
    )
    application = portal.api.call(
        "POST",
        "/api/v1/applications",
        email,
        expect=201,
        json={"organisation_id": organisation["id"], "summary": "Хранилище чертежей"},
    )
    actor = Actor(portal, browser, "uploader", "ru", "ru-RU")
    actor.login("uploader")
    yield actor, application["id"]
    actor.close()


def test_an_oversized_upload_shows_the_page_with_the_message_and_a_way_back(
    portal: Portal, applicant: tuple[Actor, int]
) -> None:
    actor, application_id = applicant
    form_url = f"/applications/{application_id}"
    page = actor.open(form_url)
    expect(page.locator("#missing-documents")).to_contain_text(tr("ru", "Business plan"))
    expect(page.locator("#file-help")).to_contain_text("10 МБ")
    page.get_by_label(tr("ru", "PDF document"), exact=True).set_input_files(
        files=[
            {
                "name": "huge-plan.pdf",
                "mimeType": "application/pdf",
                "buffer": tiny_pdf("Huge") + b"0" * (OVERSIZED_MB * 1024 * 1024),
            }
        ]
    )
    with page.expect_navigation() as navigation:
        page.locator(f"form[action='{form_url}/attachments'] button[type='submit']").click()
    response = navigation.value
    assert response is not None and response.status == 413
    assert response.headers["content-type"].startswith("text/html")
    actor.check()
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("nav.main-nav")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(tr("ru", "Too large"))
    expect(page.locator("main")).to_contain_text("Файл больше 10 МБ.")
    assert "{" not in page.locator("main").inner_text()  # no JSON body
    actor.shot("upload-too-large")

    back = page.get_by_role("link", name=tr("ru", "Back to the previous page"))
    with page.expect_navigation():
        back.click()
    assert page.url.endswith(form_url)
    expect(page.get_by_label(tr("ru", "PDF document"), exact=True)).to_be_visible()
    email = portal.email("uploader")
    stored = portal.api.call("GET", f"/api/v1/applications/{application_id}", email)
    assert (stored["status"], stored["attachments"]) == ("draft", [])
    assert portal.api.call("GET", f"/api/v1/organisations/{stored['organisation_id']}", email)[
        "website"
    ] == ("https://big-files.example.ru")
