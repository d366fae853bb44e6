"""Log lines: JSON with the request id (a trusted proxy's, else the portal's own, returned in the
response), and never a password, token or cookie."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi import FastAPI

from app.config import get_settings
from app.db import Database
from app.logs import JsonFormatter
from tests.client import TestClient
from tests.factories import PASSWORD, Factory
from tests.html import csrf_from


def _json_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_a_trusted_proxys_request_id_is_kept_logged_and_returned(
    app: FastAPI, db: Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/8"])
    with TestClient(app, client=("10.1.2.3", 40000)) as proxy, caplog.at_level(logging.INFO):
        response = proxy.get("/sessions", headers={"X-Request-ID": "edge-42.a"})
    assert response.headers["x-request-id"] == "edge-42.a"
    [access] = [line for line in _json_lines(caplog) if line["logger"] == "app.access"]
    assert access["request_id"] == "edge-42.a"
    assert (access["method"], access["route"], access["status"]) == ("GET", "/sessions", 200)
    assert isinstance(access["duration_ms"], float) and access["user_id"] is None
    assert {"time", "level", "message"} <= access.keys()


def test_an_untrusted_clients_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "forged"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_a_login_leaves_no_password_token_or_cookie_in_the_log(
    factory: Factory, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    user = factory.user()
    with TestClient(app, follow_redirects=False) as browser, caplog.at_level(logging.DEBUG):
        page = browser.get("/login")
        token = csrf_from(page.text)
        response = browser.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 303
        browser.get("/account")
        with TestClient(app) as api:
            issued = api.post(
                "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
            )
            api_token = issued.json()["access_token"]
            api.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    logged = "\n".join(json.dumps(line, ensure_ascii=False) for line in _json_lines(caplog))
    cookies = [value for value in browser.cookies.values() if len(value) > 8]
    assert "app.access" in logged
    for secret in (PASSWORD, token, api_token, *cookies):
        assert secret not in logged
    assert user.email not in logged
    account = [line for line in _json_lines(caplog) if line.get("route") == "/account"]
    assert account and account[-1]["user_id"] == user.id
