"""A browser never gets a JSON error body: refusals on pages show the layout, the message and a
way back; scripts under /api/ get JSON."""

from __future__ import annotations

import pytest

from app.config import get_settings
from app.membership import pages as membership_pages
from tests.client import TestClient
from tests.factories import PASSWORD, Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import PDF, draft

OVERSIZED = PDF + b"0" * (11 * 1024 * 1024)


def _layout_with_message(html: str, message: str) -> Page:
    page = Page(html)
    assert page.find_all("nav"), "the page has the site's layout"
    assert page.find_all("header")
    assert message in page.text
    return page


def test_an_oversized_upload_through_the_form_shows_the_page_with_a_way_back(
    factory: Factory,
) -> None:
    case = draft(factory, browser=True)
    browser = case.applicant.browser
    assert browser is not None
    form_url = f"/applications/{case.application_id}"
    token = csrf_from(browser.get(form_url).text)
    response = browser.post(
        f"{form_url}/attachments",
        data={"csrf_token": token},
        files={"file": ("plan.pdf", OVERSIZED, "application/pdf")},
        headers={"Referer": f"http://testserver{form_url}"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    page = _layout_with_message(response.text, "Файл больше 10 МБ.")
    hrefs = {link.href for link in page.links()}
    assert form_url in hrefs and "/" in hrefs
    assert case.applicant.api.get(case.url).json()["attachments"] == []


def test_a_file_just_over_the_limit_comes_back_to_the_form_with_the_message(
    factory: Factory,
) -> None:
    """Within the request's margin the route reads the file and refuses it: the applicant is
    sent back to the application with the message."""
    case = draft(factory, browser=True)
    browser = case.applicant.browser
    assert browser is not None
    form_url = f"/applications/{case.application_id}"
    token = csrf_from(browser.get(form_url).text)
    just_over = PDF + b"0" * get_settings().max_upload_bytes
    response = browser.post(
        f"{form_url}/attachments",
        data={"csrf_token": token},
        files={"file": ("plan.pdf", just_over, "application/pdf")},
    )
    assert (response.status_code, response.headers["location"]) == (303, form_url)
    assert "Файл больше 10 МБ." in Page(browser.get(form_url).text).flashes


def test_the_same_oversized_upload_to_the_api_answers_json(factory: Factory) -> None:
    case = draft(factory)
    response = case.applicant.api.post(
        f"{case.url}/attachments", files={"file": ("plan.pdf", OVERSIZED, "application/pdf")}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"] == "Тело запроса слишком велико."


def test_an_oversized_form_from_a_visitor_shows_the_layout(factory: Factory) -> None:
    client = TestClient(factory.app)
    token = csrf_from(client.get("/register").text)
    response = client.post(
        "/register",
        data={"csrf_token": token, "full_name": "x" * (2 * 1024 * 1024)},
    )
    assert response.status_code == 413
    _layout_with_message(response.text, "Тело запроса слишком велико.")


def test_a_throttled_login_shows_the_login_form_again_with_the_address_kept(
    factory: Factory,
) -> None:
    user = factory.user(locale="en")
    client = TestClient(factory.app, follow_redirects=False)
    token = csrf_from(client.get("/login?lang=en").text)
    for _ in range(get_settings().login_max_failures_per_account):
        wrong = client.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": "wrong"}
        )
        assert wrong.status_code == 401
    throttled = client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert throttled.status_code == 429
    assert throttled.headers["content-type"].startswith("text/html")
    assert int(throttled.headers["Retry-After"]) > 0
    page = _layout_with_message(throttled.text, "Too many")
    assert page.control("email").get("value") == user.email
    assert "set-cookie" not in throttled.headers or "portal_session" not in str(
        throttled.headers.get("set-cookie")
    )


def test_an_unexpected_error_on_a_page_shows_the_layout_and_on_the_api_json(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = draft(factory, browser=True)

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(membership_pages.reading, "get_application", broken)
    browser = TestClient(factory.app, raise_server_exceptions=False)
    browser.cookies = case.applicant.browser.cookies  # type: ignore[union-attr]
    page = browser.get(f"/applications/{case.application_id}")
    assert page.status_code == 500
    _layout_with_message(page.text, "Произошла непредвиденная ошибка")
    api = TestClient(factory.app, raise_server_exceptions=False)
    api.headers.update(case.applicant.api.headers)
    monkeypatch.setattr("app.membership.api.reading.get_application", broken)
    answer = api.get(case.url)
    assert answer.status_code == 500
    assert answer.json()["detail"]
