"""The privacy policy: published in both languages, linked from every page and the registration
form, and the version a person consents to is the one the page shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.config import get_settings
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page, csrf_from


@pytest.fixture
def operator() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_OPERATOR_NAME", "АНО «Кластерный центр»")
        patch.setenv("PORTAL_OPERATOR_CONTACT", "dpo@cluster.example")
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


def _shown_version(html: str) -> str:
    marker = 'id="policy-version">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)].strip()


@pytest.mark.parametrize(
    ("locale", "heading", "erasure"),
    [
        ("ru", "Политика конфиденциальности", "Удаление учётной записи"),
        ("en", "Privacy policy", "Erasing your account"),
    ],
)
def test_the_policy_is_published_in_both_languages(
    client: TestClient, locale: str, heading: str, erasure: str
) -> None:
    response = client.get(f"/privacy?lang={locale}")

    assert response.status_code == 200
    page = Page(response.text)
    assert page.html_lang == locale
    assert {heading, erasure} <= page.shown_strings
    assert "/api/v1/me/export" in response.text and "DELETE /api/v1/me" in response.text
    # Unconfigured, the operator is named in general terms and reached at the sender address.
    assert f'href="mailto:{get_settings().mail_from}"' in response.text


def test_the_operator_comes_from_the_settings(client: TestClient, operator: None) -> None:
    page = Page(client.get("/privacy?lang=en").text)

    assert "АНО «Кластерный центр»" in page.shown_strings
    assert "dpo@cluster.example" in page.shown_strings


def test_every_page_and_the_registration_form_link_the_policy(client: TestClient) -> None:
    home = client.get("/")
    form = client.get("/register")

    assert 'href="/privacy"' in home.text
    assert form.text.count('href="/privacy"') == 2  # the footer and the consent


def test_registration_stores_the_version_the_policy_page_shows(
    client: TestClient, factory: Factory
) -> None:
    shown_on_policy = _shown_version(client.get("/privacy").text)
    form = client.get("/register")
    shown_on_form = _shown_version(form.text)

    response = client.post(
        "/register",
        data={
            "full_name": "Анна Согласная",
            "email": "anna@example.com",
            "password": "a long enough passphrase",
            "locale": "ru",
            "timezone": "Europe/Moscow",
            "consent_personal_data": "on",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    with factory.database.session_scope(write=False) as session:
        user = session.scalars(select(User).where(User.email == "anna@example.com")).one()
    assert user.consent_policy_version == shown_on_policy == shown_on_form
    assert user.consent_at is not None
