"""Cookies and sessions, uploads, and login throttling behind (untrusted) proxies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.accounts.models import Organisation, Role, User, WebSession
from app.config import Settings, get_settings
from app.web import client_ip
from tests.client import TestClient
from tests.factories import PASSWORD, Factory
from tests.html import csrf_from
from tests.library.helpers import create_item, tiny_pdf
from tests.membership.helpers import PDF

TRAVERSAL_NAMES = {
    "../../../../etc/passwd.pdf": "passwd.pdf",
    "..\\..\\boot.ini.pdf": "boot.ini.pdf",
    "/abs/path/plan.pdf": "plan.pdf",
    "..": None,
}


@pytest.fixture
def https(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _login(client: TestClient, email: str) -> object:
    page = client.get("/login")
    return client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )


def _set_cookies(response: object) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k == "set-cookie"]  # type: ignore[attr-defined]


def test_over_https_cookies_are_secure_host_prefixed_and_hsts_is_sent(
    factory: Factory, https: None
) -> None:
    user = factory.user()
    client = TestClient(factory.app, base_url="https://testserver", follow_redirects=False)
    first = client.get("/login")
    assert "max-age=31536000" in first.headers["strict-transport-security"]
    response = _login(client, user.email)
    assert response.status_code == 303  # type: ignore[attr-defined]
    cookies = _set_cookies(first) + _set_cookies(response)
    session = [c for c in cookies if c.startswith("__Host-portal_session=")]
    csrf = [c for c in cookies if c.startswith("__Host-portal_csrf=")]
    assert session and csrf, cookies
    for cookie in session + csrf:
        flags = {part.strip() for part in cookie.split(";")}
        assert {"HttpOnly", "SameSite=Lax", "Secure", "Path=/"} <= flags, cookie
        assert not any(part.lower().startswith("domain=") for part in flags), cookie
    assert not [c for c in cookies if c.startswith("portal_session=")]
    assert client.get("/api/v1/me").status_code == 200


def test_over_http_cookies_are_httponly_and_lax_without_the_prefix(factory: Factory) -> None:
    user = factory.user()
    client = TestClient(factory.app, follow_redirects=False)
    cookies = _set_cookies(client.get("/login"))
    cookies += _set_cookies(_login(client, user.email))
    session = [c for c in cookies if c.startswith("portal_session=")]
    assert session
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_a_planted_session_cookie_is_replaced_at_login_and_the_old_csrf_token_dies(
    factory: Factory,
) -> None:
    user = factory.user()
    client = TestClient(factory.app, follow_redirects=False)
    client.cookies.set("portal_session", "attacker-chosen-value")
    anonymous_token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": anonymous_token}
    )
    assert response.status_code == 303
    issued = [c for c in _set_cookies(response) if c.startswith("portal_session=")]
    assert len(issued) == 1
    assert not issued[0].startswith("portal_session=attacker-chosen-value")
    assert factory.count(WebSession) == 1
    # The token of the anonymous visit is bound to it, not to the new session.
    refused = client.post("/account/profile", data={"csrf_token": anonymous_token})
    assert refused.status_code == 403


def test_a_session_idle_too_long_is_refused_on_pages_and_the_api(factory: Factory) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from app.db import utcnow

    actor = factory.actor(browser=True)
    assert actor.browser is not None
    idle = get_settings().session_idle_minutes
    with factory.database.session_scope() as session:
        session.execute(
            update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=idle + 1))
        )
    assert actor.browser.get("/api/v1/me").status_code == 401
    page = actor.browser.get("/account")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


# --- Uploads ----------------------------------------------------------------------------------


def _inside(root: Path) -> list[Path]:
    return [p.resolve() for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", list(TRAVERSAL_NAMES))
def test_an_application_attachment_name_cannot_leave_the_upload_folder(
    factory: Factory, name: str
) -> None:
    from tests.membership.helpers import draft

    case = draft(factory)
    response = case.applicant.api.post(
        f"{case.url}/attachments", files={"file": (name, PDF, "application/pdf")}
    )
    assert response.status_code == 201, response.text
    shown = response.json()["filename"]
    assert shown == (TRAVERSAL_NAMES[name] or "document.pdf")
    root = get_settings().upload_dir.resolve()
    stored = _inside(root)
    assert stored and all(root in p.parents for p in stored)
    assert not any(p.name in ("passwd.pdf", "boot.ini.pdf") for p in stored)
    download = case.applicant.api.get(response.json()["url"])
    assert download.content == PDF
    assert "/" not in download.headers["content-disposition"].split("filename", 1)[1]


@pytest.mark.parametrize("name", list(TRAVERSAL_NAMES))
def test_a_library_file_name_cannot_leave_the_upload_folder(factory: Factory, name: str) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(staff.api)
    pdf = tiny_pdf("Regional grant rules")
    response = staff.api.post(
        f"/api/v1/library/{item['id']}/file", files={"file": (name, pdf, "application/pdf")}
    )
    assert response.status_code == 200, response.text
    shown = response.json()["file"]["name"]
    assert shown == (TRAVERSAL_NAMES[name] or "document.pdf")
    root = get_settings().upload_dir.resolve()
    assert all(root in p.parents for p in _inside(root))
    download = staff.api.get(f"/library/{item['id']}/file")
    assert download.status_code == 200 and download.content == pdf
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00", b"\x89PNG\r\n\x1a\n", b" %PDF-1.4"],
)
def test_uploads_are_judged_by_their_bytes_not_their_name_or_declared_type(
    factory: Factory, content: bytes
) -> None:
    from tests.membership.helpers import draft

    case = draft(factory)
    response = case.applicant.api.post(
        f"{case.url}/attachments", files={"file": ("plan.pdf", content, "application/pdf")}
    )
    assert response.status_code == 415
    staff = factory.actor(Role.staff)
    item = create_item(staff.api)
    response = staff.api.post(
        f"/api/v1/library/{item['id']}/file",
        files={"file": ("doc.pdf", content, "application/pdf")},
    )
    assert response.status_code == 415
    assert staff.api.get(f"/api/v1/library/{item['id']}").json()["file"] is None


def test_an_oversized_upload_is_refused_before_it_is_read_whole(factory: Factory) -> None:
    from tests.membership.helpers import draft

    case = draft(factory)
    limit = get_settings().max_upload_bytes
    response = case.applicant.api.post(
        f"{case.url}/attachments",
        content=b"0" * 16,
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(limit + 1024 * 1024),
        },
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "Тело запроса слишком велико."
    assert case.applicant.api.get(case.url).json()["attachments"] == []
    huge_json = case.applicant.api.post(
        "/api/v1/organisations", content=b"{" + b" " * (2 * 1024 * 1024) + b"}"
    )
    assert huge_json.status_code == 413
    assert huge_json.json()["detail"] == "Тело запроса слишком велико."
    assert factory.count(Organisation) == 1  # the applicant's own, made by the helper


def test_a_chunked_body_beyond_the_limit_is_413_not_400(factory: Factory) -> None:
    """Without Content-Length the limit is found while reading: still a 413, JSON under /api/
    and the page elsewhere, and nothing stored."""
    limit = get_settings().max_json_body_bytes

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    client = TestClient(factory.app)
    api = client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert api.status_code == 413
    assert api.json()["detail"]
    page = client.post(
        "/register",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert factory.count(User) == 0


# --- Login throttling and proxies --------------------------------------------------------------


def test_a_spoofed_forwarded_for_does_not_escape_the_per_address_limit(factory: Factory) -> None:
    client = TestClient(factory.app)
    limit = get_settings().login_max_failures_per_address
    statuses = []
    for number in range(limit + 1):
        response = client.post(
            "/api/v1/auth/token",
            json={"email": f"nobody{number}@example.com", "password": "wrong password!"},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
        statuses.append(response.status_code)
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429


def _scope(peer: str, forwarded: str | None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"client": (peer, 1234), "headers": headers}


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    plain = Settings(secret_key="x", trusted_proxies=[])
    behind = Settings(secret_key="x", trusted_proxies=["10.0.0.0/8"])
    assert client_ip(_scope("198.51.100.7", "203.0.113.9"), plain) == "198.51.100.7"
    assert client_ip(_scope("198.51.100.7", "203.0.113.9"), behind) == "198.51.100.7"
    assert client_ip(_scope("10.0.0.2", "203.0.113.9"), behind) == "203.0.113.9"
    # A client may prepend anything; the proxy's own entry (the last untrusted hop) counts.
    spoofed = "1.2.3.4, 203.0.113.9, 10.0.0.3"
    assert client_ip(_scope("10.0.0.2", spoofed), behind) == "203.0.113.9"
    assert client_ip(_scope("10.0.0.2", None), behind) == "10.0.0.2"
