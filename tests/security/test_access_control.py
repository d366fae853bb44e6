"""Every route × every principal, compared with the table in expectations.py.

Writes are sent with an empty body (`{}`, or a form holding only the CSRF token): role gates
answer before the body is read, so the table records who gets past the gate; a refused write
(401/403/404/405, or the login redirect of a page) must not insert or delete a row of any table.
Routes that end the caller's session or rotate a secret run last so they do not disturb the rest.
Set SECURITY_MATRIX_RECORD=1 to print a fresh table (then review it by hand before pasting).
"""

from __future__ import annotations

import os
import pprint
from collections import Counter
from typing import Any

from fastapi import FastAPI

from app.web import FLASH_COOKIE, _read_flashes
from tests.security.expectations import EXPECTATIONS, observer_default
from tests.security.report import REPORT
from tests.security.routes import SAFE, all_routes
from tests.security.world import (
    PRINCIPALS,
    World,
    fill,
    recorded_row_writes,
    row_counts,
)

LAST = (
    ("POST", "/api/v1/me/calendar-feed"),
    ("DELETE", "/api/v1/me/calendar-feed"),
    ("POST", "/trainings/calendar-feed"),
    ("POST", "/trainings/calendar-feed/revoke"),
    ("DELETE", "/api/v1/me/tokens/{token_id}"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    ("POST", "/account/password"),
    ("POST", "/logout"),
    ("DELETE", "/api/v1/me"),
    ("POST", "/account/erase"),
)
DENIED = frozenset({401, 403, 404, 405})
HTML_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def missing_security_headers(response: Any) -> list[str]:
    """What an HTML response lacks: the CSP without inline scripts, nosniff, no framing."""
    missing = [k for k, v in HTML_HEADERS.items() if response.headers.get(k) != v]
    csp = response.headers.get("content-security-policy", "")
    if "frame-ancestors 'none'" not in csp or "default-src 'self'" not in csp:
        missing.append("content-security-policy")
    elif not response.url.path.startswith("/api/docs") and "unsafe-inline" in csp:
        missing.append("content-security-policy without unsafe-inline")
    return missing


def call(world: World, principal: str, method: str, path: str, is_api: bool) -> Any:
    who = world.principals[principal]
    url = fill(path, world.params)
    if is_api:
        kwargs: dict[str, Any] = {} if method in SAFE else {"json": {}}
        return who.api.request(method, url, **kwargs)
    if method in SAFE:
        return who.browser.request(method, url)
    return who.browser.request(
        method, url, data={"csrf_token": who.csrf}, headers={"X-CSRF-Token": who.csrf}
    )


def outcome(response: Any) -> int | str:
    """The status, or "303:error" for a page that refused the action with an error flash."""
    if response.status_code == 303:
        if response.headers.get("location", "").startswith("/login"):
            return "303:login"
        flashes = _read_flashes(response.cookies.get(FLASH_COOKIE))
        if any(item.get("category") == "error" for item in flashes):
            return "303:error"
    return int(response.status_code)


def is_refusal(result: int | str) -> bool:
    return result in DENIED or result in ("303:login", "303:error")


def expected_status(
    table: dict[str, int | str], principal: str, method: str = "GET", path: str = ""
) -> int | str | None:
    if principal == "observer" and principal not in table:
        return observer_default(table, method, path)
    return table.get(principal, table.get("*"))


def ordered(routes: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    late = {key: index for index, key in enumerate(LAST)}
    return sorted(routes, key=lambda r: late.get((r[0], r[1]), -1))


def test_every_unsafe_route_refuses_a_cookie_request_without_the_csrf_token(
    world: World, app: FastAPI
) -> None:
    """Bearer calls need no token, but every unsafe route called with the session cookie
    (pages and the JSON API alike) must refuse a missing or foreign token and change nothing."""
    unsafe = [(m, p, api) for m, p, api in all_routes(app) if m not in SAFE]
    foreign = world.principals["entrepreneur"].csrf
    before = row_counts(world.factory.database)
    refused = 0
    for method, path, _is_api in unsafe:
        url = fill(path, world.params)
        attempts = [
            ("admin", {"data": {"x": "1"}}),
            ("owner", {"json": {}}),
            ("admin", {"data": {"csrf_token": foreign}}),
            ("owner", {"headers": {"X-CSRF-Token": foreign}}),
        ]
        if not path.startswith("/api/"):
            attempts.append(("anonymous", {"data": {"email": "a@example.com"}}))
        for principal, kwargs in attempts:
            response = world.principals[principal].browser.request(method, url, **kwargs)
            assert response.status_code == 403, (method, path, principal, response.text)
            refused += 1
    assert row_counts(world.factory.database) == before
    assert refused >= 4 * len(unsafe)
    REPORT["csrf refusals"] = refused


def test_every_route_answers_every_principal_as_the_table_says(world: World, app: FastAPI) -> None:
    routes = ordered(all_routes(app))
    observed: dict[tuple[str, str], dict[str, int | str]] = {}
    mismatches: list[str] = []
    rows_changed: list[str] = []
    unprotected_html: list[str] = []
    checked = 0
    with recorded_row_writes(world.factory.database) as writes:
        for method, path, is_api in routes:
            table = EXPECTATIONS.get((method, path))
            statuses: dict[str, int | str] = {}
            for principal in PRINCIPALS:
                writes.clear()
                response = call(world, principal, method, path, is_api)
                checked += 1
                result = outcome(response)
                if response.headers.get("content-type", "").startswith("text/html"):
                    lacking = missing_security_headers(response)
                    if lacking:
                        unprotected_html.append(f"{method} {path} as {principal}: {lacking}")
                statuses[principal] = result
                assert response.status_code < 500, (method, path, principal, response.text)
                expected = expected_status(table, principal, method, path) if table else None
                if table is not None and result != expected:
                    mismatches.append(
                        f"{method} {path} as {principal}: {result}, expected {expected}"
                    )
                if method not in SAFE and is_refusal(result) and writes:
                    rows_changed.append(f"{method} {path} as {principal}: {writes}")
            observed[(method, path)] = statuses

    if os.environ.get("SECURITY_MATRIX_RECORD"):
        print("EXPECTATIONS = " + pprint.pformat(_compact(observed), width=100, sort_dicts=False))
    missing = [f"{m} {p}" for (m, p) in observed if (m, p) not in EXPECTATIONS]
    stale = [f"{m} {p}" for (m, p) in EXPECTATIONS if (m, p) not in observed]
    assert not missing, f"routes missing from the expectations table: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"
    assert not rows_changed, rows_changed
    assert not unprotected_html, unprotected_html
    assert not mismatches, "\n".join(mismatches)
    assert checked == len(routes) * len(PRINCIPALS)
    REPORT["matrix routes"] = len(routes)
    REPORT["matrix calls (routes x principals)"] = checked


def _compact(observed: dict[tuple[str, str], dict[str, int | str]]) -> dict[Any, Any]:
    table: dict[Any, Any] = {}
    for key, statuses in observed.items():
        common = Counter(statuses.values()).most_common(1)[0][0]
        row = {"*": common}
        row.update({p: s for p, s in statuses.items() if s != common})
        table[key] = row
    return table
