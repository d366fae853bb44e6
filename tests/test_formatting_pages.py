"""A sample of pages and emails over the demo data, in Russian and English: dates, times, numbers
and money read the house way (app/formatting.py), never as ISO timestamps, with seconds or as
"RUB25,000,000.00"."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.db import Database
from app.demo import DEMO_PASSWORD, load_demo
from app.notifications.models import OutboxMessage
from tests.client import TestClient
from tests.html import Page, csrf_from

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
GLUED_MONEY = re.compile(r"RUB\d|\d[.,]00\s?₽")
DOT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
COMMA_DECIMAL = re.compile(r"(?<![\d,])\d+,\d{2}(?![\d,])")

SAMPLE = {
    "admin@demo.cluster": (
        "/sessions",
        "/sessions/1",
        "/courses/1",
        "/applications",
        "/reports",
        "/numbers",
        "/meetings",
        "/meetings/1",
        "/staff/outbox",
        "/library/1",
        "/pitch-days",
    ),
    "founder@demo.cluster": ("/investors", "/trainings/mine", "/notifications"),
}


@pytest.fixture
def demo(db: Database) -> Database:
    with db.session_scope() as session:
        load_demo(session)
    return db


def _browser(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def _problems(text: str) -> list[str]:
    return [
        f"{name}: {match.group(0)!r}"
        for name, pattern in (
            ("ISO timestamp", ISO_TIMESTAMP),
            ("ISO date", ISO_DATE),
            ("seconds", SECONDS),
            ("money", GLUED_MONEY),
        )
        for match in pattern.finditer(text)
    ]


def _reviewed_applications(client: TestClient) -> list[str]:
    listing = Page(client.get("/applications").text)
    paths = sorted(
        {link.href for link in listing.links() if re.fullmatch(r"/applications/\d+", link.href)}
    )
    assert paths
    return paths[:6]


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_sample_pages_show_dates_times_numbers_and_money_the_house_way(
    app: FastAPI, demo: Database, locale: str
) -> None:
    shown: dict[str, str] = {}
    for email, paths in SAMPLE.items():
        client = _browser(app, email)
        for path in (*paths, *(_reviewed_applications(client) if "admin" in email else ())):
            response = client.get(path, params={"lang": locale})
            assert response.status_code == 200, path
            # Chart drawings carry coordinates, not figures; their values are in the tables.
            shown[path] = Page(re.sub(r"<svg.*?</svg>", "", response.text, flags=re.S)).text

    problems = {path: _problems(text) for path, text in shown.items()}
    assert {path: found for path, found in problems.items() if found} == {}

    text = " ".join(shown.values())
    date = r"\b\d{2}\.\d{2}\.2\d{3}\b" if locale == "ru" else r"\b\d{1,2} [A-Z][a-z]{2} 2\d{3}\b"
    assert re.search(date, text)
    scores = " ".join(t for path, t in shown.items() if path.startswith("/applications/"))
    if locale == "ru":
        assert COMMA_DECIMAL.search(scores), "review scores with a decimal comma"
        assert DOT_DECIMAL.findall(scores) == []
        assert DOT_DECIMAL.findall(shown["/reports"]) == []
        assert re.search(r"\d млн ₽", shown["/reports"])
        assert re.search(r"\d ₽", shown["/reports"])  # full amounts in the table
    else:
        assert re.search(r"\b\d\.\d{2}\b", scores)
        assert re.search(r"RUB \d+(\.\d)?M\b", shown["/reports"])
        assert re.search(r"RUB \d{1,3}(,\d{3})+\b", shown["/reports"])


def test_emails_in_the_outbox_carry_no_iso_times_seconds_or_glued_money(demo: Database) -> None:
    with demo.session_scope(write=False) as session:
        messages = session.scalars(select(OutboxMessage)).all()
        bodies = [(m.locale, m.kind, m.subject + "\n" + m.body_text) for m in messages]
        html = [re.sub(r'="[^"]*"', "", m.body_html) for m in messages]
    assert {locale for locale, _kind, _body in bodies} == {"ru", "en"}
    found = {kind: _problems(body) for _locale, kind, body in bodies}
    assert {kind: problems for kind, problems in found.items() if problems} == {}
    assert [problem for body in html for problem in _problems(body)] == []
