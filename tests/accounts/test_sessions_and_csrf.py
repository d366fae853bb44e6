from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.accounts.models import Organisation, WebSession
from app.db import utcnow
from app.web import FLASH_COOKIE, _read_flashes
from tests.client import TestClient
from tests.factories import PASSWORD, Factory
from tests.html import csrf_from


def test_login_sets_a_hardened_session_cookie_and_a_new_id_each_time(factory: Factory) -> None:
    user = factory.user()
    client = TestClient(factory.app, follow_redirects=False)
    page = client.get("/login")
    first = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    cookie_header = first.headers["set-cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header
    first_id = client.cookies.get("portal_session")

    page = client.get("/login?next=/account")
    assert page.status_code == 303  # already logged in
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert client.cookies.get("portal_session") not in (None, first_id)


def test_replayed_cookie_after_logout_is_refused(factory: Factory) -> None:
    actor = factory.actor(browser=True)
    browser = actor.browser
    assert browser is not None
    old_cookie = browser.cookies.get("portal_session")
    assert browser.get("/api/v1/me").status_code == 200

    browser.post("/logout", data={"csrf_token": csrf_from(browser.get("/").text)})

    replay = TestClient(factory.app, cookies={"portal_session": old_cookie})
    assert replay.get("/api/v1/me").status_code == 401
    assert factory.count(WebSession) == 0


def test_session_expires_after_two_idle_hours(factory: Factory) -> None:
    actor = factory.actor(browser=True)
    assert actor.browser is not None
    with factory.database.session_scope() as session:
        session.execute(
            update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=2, minutes=1))
        )
    assert actor.browser.get("/api/v1/me").status_code == 401


def test_session_expires_after_twelve_hours_even_when_active(factory: Factory) -> None:
    actor = factory.actor(browser=True)
    assert actor.browser is not None
    with factory.database.session_scope() as session:
        session.execute(
            update(WebSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1))
        )
    assert actor.browser.get("/api/v1/me").status_code == 401


def test_disabling_a_user_ends_their_sessions(factory: Factory) -> None:
    admin = factory.actor("admin")
    actor = factory.actor(browser=True)
    assert actor.browser is not None

    response = admin.api.post(f"/api/v1/users/{actor.id}/disable")

    assert response.status_code == 200
    assert actor.browser.get("/api/v1/me").status_code == 401
    assert actor.api.get("/api/v1/me").status_code == 401


def test_cookie_request_without_csrf_is_refused_and_writes_nothing(factory: Factory) -> None:
    actor = factory.actor(browser=True)
    browser = actor.browser
    assert browser is not None
    body = {
        "name": "Без токена",
        "kind": "sme",
        "inn": "7707083893",
        "region": "Москва",
        "sector": "software",
    }

    refused = browser.post("/api/v1/organisations", json=body)
    refused_form = browser.post("/organisations/new", data=body)

    assert refused.status_code == 403
    assert refused_form.status_code == 403
    assert factory.count(Organisation) == 0

    token = csrf_from(browser.get("/organisations/new").text)
    accepted = browser.post("/api/v1/organisations", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201
    assert factory.count(Organisation) == 1


def test_bearer_requests_need_no_csrf(factory: Factory) -> None:
    actor = factory.actor()
    response = actor.api.post(
        "/api/v1/organisations",
        json={
            "name": "API",
            "kind": "sme",
            "inn": "7707083893",
            "region": "Москва",
            "sector": "software",
        },
    )
    assert response.status_code == 201
    assert factory.count(Organisation) == 1


def test_login_form_is_csrf_protected(factory: Factory) -> None:
    user = factory.user()
    client = TestClient(factory.app, follow_redirects=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert factory.count(WebSession) == 0


def test_security_headers_on_every_response(client) -> None:
    for path in ("/", "/login", "/api/v1/me", "/no-such-page"):
        response = client.get(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_a_flash_is_shown_once_and_no_page_clears_a_flash_cookie_never_sent(
    factory: Factory,
) -> None:
    user = factory.user(full_name="Flash Person", locale="en")
    browser = factory.client(follow_redirects=False)
    form = browser.get("/login?lang=en")
    assert FLASH_COOKIE not in form.headers.get("set-cookie", "")

    login = browser.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(form.text)},
    )
    assert login.status_code == 303
    assert _read_flashes(login.cookies.get(FLASH_COOKIE))

    shown = browser.get("/")
    assert "Welcome, Flash Person!" in shown.text
    assert f"{FLASH_COOKIE}=;" in shown.headers["set-cookie"]

    after = browser.get("/")
    assert "Welcome, Flash Person!" not in after.text
    assert FLASH_COOKIE not in after.headers.get("set-cookie", "")
