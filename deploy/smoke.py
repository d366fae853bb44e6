"""What deploy/check asks of nginx in front of a running portal (deploy/nginx-portal.conf with
PORTAL_ACCEL_REDIRECT_PREFIX set): run by deploy/check, which starts both on loopback ports."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ORGANISATION = {
    "name": "Deploy Check",
    "kind": "sme",
    "inn": "7707083893",
    "region": "Новосибирская область",
    "sector": "geoinformation",
    "description": "An organisation made by deploy/check",
}


def expect(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"deploy/check: {what}")
    print(f"   ok: {what}")


def account(client: httpx.Client) -> dict[str, str]:
    """A new registered person's bearer header."""
    email = f"check-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    registered = client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "full_name": "Deploy Check",
            "consent_personal_data": True,
        },
    )
    assert registered.status_code == 201, registered.text
    token = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def check_redirect_and_http2(http: str, https: str) -> None:
    plain = httpx.get(f"{http}/login?lang=en")
    expect(
        plain.status_code == 301 and plain.headers["location"].startswith("https://"),
        "port 80 redirects to https",
    )
    # httpx speaks HTTP/1.1 here; curl asks for HTTP/2 over TLS (ALPN).
    version = subprocess.run(
        ["curl", "-ks", "--http2", "-o", "/dev/null", "-w", "%{http_version}", f"{https}/login"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expect(version == "2", "TLS with HTTP/2")


def check_static(client: httpx.Client, static: Path) -> None:
    page = client.get("/login")
    expect(page.status_code == 200, "the login page through nginx")
    links = re.findall(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]+))"', page.text)
    expect(bool(links), "the page links static files by a digest")
    for url, path, digest in links:
        served = client.get(url)
        content = (static / path).read_bytes()
        expect(
            served.status_code == 200
            and served.content == content
            and digest == hashlib.sha256(content).hexdigest()[:12]
            and "immutable" in served.headers["cache-control"],
            f"{path} from the checkout, kept a year",
        )
    bare = client.get(f"/static/{links[0][1]}")
    hour = bare.headers["cache-control"] == "public, max-age=3600"
    expect(hour, "an unversioned address: an hour")


def check_refusals(client: httpx.Client) -> None:
    expect(client.get("/metrics").status_code == 404, "/metrics is not served to the outside")
    expect(
        client.get("/_protected/membership/x.pdf").status_code == 404,
        "the protected location is internal",
    )


def check_operations(client: httpx.Client, app: str, logs: Path) -> None:
    ready = client.get("/readyz")
    expect(
        ready.status_code == 200 and ready.json()["status"] == "ready",
        f"/readyz through nginx: {ready.json()['checks']}",
    )
    expect(httpx.get(f"{app}/metrics").status_code == 200, "/metrics answers on the host itself")
    request_id = client.get("/login").headers.get("x-request-id", "")
    expect(bool(re.fullmatch(r"[0-9a-f]{32}", request_id)), "nginx's request id comes back")
    expect(
        _logged(logs / "portal.access.log", lambda line: line.get("request_id") == request_id),
        "in nginx's JSON access log",
    )
    expect(
        _logged(
            logs / "portal.log",
            lambda line: line.get("request_id") == request_id and line.get("route") == "/login",
        ),
        "and in the portal's JSON log line for the request (PORTAL_LOG_FORMAT=json)",
    )


def _logged(path: Path, wanted) -> bool:  # type: ignore[no-untyped-def]
    """Whether a JSON line of `path` is `wanted`, within 5 s (logs are written after the answer)."""
    for _ in range(50):
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.startswith("{") and wanted(json.loads(text)):
                return True
        time.sleep(0.1)
    return False


def check_documents(client: httpx.Client, app: str, uploads: Path) -> None:
    owner = account(client)
    org = client.post("/api/v1/organisations", json=ORGANISATION, headers=owner)
    assert org.status_code == 201, org.text
    application = client.post(
        "/api/v1/applications",
        headers=owner,
        json={
            "organisation_id": org.json()["id"],
            "summary": "s",
            "innovation": "i",
            "market": "m",
            "team": "t",
            "funding_needs": "f",
        },
    )
    assert application.status_code == 201, application.text
    url = f"/api/v1/applications/{application.json()['id']}/attachments"
    # A document at the portal's limit passes nginx's client_max_body_size.
    largest = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    big = client.post(url, headers=owner, files={"file": ("big.pdf", largest, "application/pdf")})
    expect(big.status_code == 201, "a 10 MB document passes nginx and the portal")
    huge = largest + b"0" * 600_000
    too_big = client.post(url, headers=owner, files={"file": ("huge.pdf", huge, "application/pdf")})
    expect(too_big.status_code == 413, "a larger request is refused (413)")
    uploaded = client.post(
        url, headers=owner, files={"file": ("Бизнес-план.pdf", PDF, "application/pdf")}
    )
    assert uploaded.status_code == 201, uploaded.text
    download = uploaded.json()["url"]
    behind = httpx.get(f"{app}{download}", headers=owner)
    named = behind.headers.get("x-accel-redirect", "")
    expect(
        behind.status_code == 200 and behind.content == b"" and named.startswith("/_protected/"),
        f"the portal itself answers with an empty body and X-Accel-Redirect: {named}",
    )
    sent = client.get(download, headers=owner)
    expect(
        sent.status_code == 200 and sent.content == PDF and "x-accel-redirect" not in sent.headers,
        "the owner's download is sent by nginx through X-Accel-Redirect",
    )
    expect(
        sent.headers["content-type"] == "application/pdf"
        and sent.headers["content-disposition"].startswith("attachment; filename*=utf-8''")
        and sent.headers["cache-control"] == "private, no-store"
        and sent.headers["x-content-type-options"] == "nosniff",
        "with the portal's Content-Type, Content-Disposition and Cache-Control",
    )
    stored = uploads / named.removeprefix("/_protected/")
    expect(stored.read_bytes() == PDF, f"nginx sent {stored.relative_to(uploads.parent)}")
    stranger = account(client)
    expect(client.get(download, headers=stranger).status_code == 404, "another person gets 404")
    expect(client.get(download).status_code == 401, "an anonymous request gets 401")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--https", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--uploads", type=Path, required=True)
    parser.add_argument("--static", type=Path, required=True)
    parser.add_argument("--app", required=True, help="the portal itself, without nginx")
    parser.add_argument("--logs", type=Path, required=True, help="nginx's and the portal's logs")
    args = parser.parse_args()
    check_redirect_and_http2(args.http, args.https)
    with httpx.Client(base_url=args.https, verify=False, timeout=30) as client:
        check_static(client, args.static)
        check_refusals(client)
        check_operations(client, args.app, args.logs)
        check_documents(client, args.app, args.uploads)


if __name__ == "__main__":
    main()
