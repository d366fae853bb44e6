"""The regional authority's observer reads the cluster's annual report in a real browser, once in
Russian and once in English.

The observer logs in → the workspace leads to this year's report → every indicator of the
contract is on the page, each with its name and source, and the figures are those staff get
from the JSON API → the CSV and XLSX downloads hold the same codes and values → the page reads
on a phone without sideways scrolling → the menu offers nothing the observer may not open, and
the administrator's page answers 403.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Response, expect

from tests.e2e.helpers import Actor, Portal, approved_member, tr

# The indicator codes API.md lists for `GET /api/v1/reports/indicators`.
CODES = (
    "members_total",
    "members_sme_share",
    "new_members",
    "members_left",
    "active_members",
    "applications",
    "approval_rate",
    "median_days_to_decision",
    "training_participants",
    "certificates",
    "investor_meetings",
    "pitch_day_meetings",
    "deals",
    "investment_rub",
    "introductions",
    "introductions_accepted",
    "success_stories",
    "events",
    "event_participants",
    "mentoring_sessions",
)


@pytest.fixture(scope="module")
def a_member(portal: Portal) -> int:
    """At least one approved member, whichever journeys ran before."""
    return approved_member(portal, "annual-report-member", "Анна Член", "ООО «Отчёт»", "ru")


def _download(actor: Actor, link_text: str) -> bytes:
    with actor.page.expect_download() as download_info:
        actor.page.get_by_role("link", name=tr(actor.lang, link_text)).click()
    path = download_info.value.path()
    return path.read_bytes()


def _csv_values(content: bytes) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return {row[0]: row[2] for row in rows[2:]}


def _xlsx_values(content: bytes) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    return {str(row[0]): row[2] for row in sheet.iter_rows(min_row=3, values_only=True)}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_observer_reads_the_annual_report(
    lang: str, portal: Portal, browser: Browser, a_member: int
) -> None:
    docs = lang == "en"  # the README's tour shows the English pages
    observer = Actor(portal, browser, "observer", lang, {"ru": "ru-RU", "en": "en-US"}[lang])
    observer.login("observer")
    page = observer.page
    failures: list[str] = []

    def note_failure(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", note_failure)

    # --- The workspace leads to this year's report -----------------------------------------------
    observer.open("/")
    year = datetime.now(ZoneInfo("Europe/Moscow")).year
    with page.expect_navigation():
        page.locator(f"main a[href='/reports/annual?year={year}']").first.click()
    observer.check()
    expect(page.locator("h1")).to_have_text(
        tr(lang, "The cluster's indicators for %(year)s", year=year)
    )

    # --- Every indicator, with its source, as staff read it from the API -------------------------
    staff_view = portal.api.call(
        "GET", f"/api/v1/reports/indicators?year={year}", portal.email("staff")
    )
    by_code = {item["code"]: item for item in staff_view["items"]}
    assert set(CODES) <= set(by_code)
    for code in CODES:
        row = page.locator(f"#indicator-{code}")
        assert row.locator("th").inner_text().strip(), f"{code} has no name"
        expect(row.locator(".source code")).to_have_text(code)
        assert row.locator(".source").inner_text().strip() != code, f"{code} has no source"
    members_total = by_code["members_total"]["value"]
    assert members_total > 0
    expect(page.locator("#indicator-members_total td.num")).to_have_text(str(members_total))
    observer.shot("annual-01-report", "annual-report" if docs else None)

    # --- The downloads hold the same figures ------------------------------------------------------
    from_csv = _csv_values(_download(observer, "Download CSV"))
    from_xlsx = _xlsx_values(_download(observer, "Download XLSX"))
    for code in CODES:
        value = by_code[code]["value"]
        assert from_xlsx[code] == value, code
        shown = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        assert from_csv[code] == shown, code

    # --- On a phone -----------------------------------------------------------------------------
    observer.phone_shot("annual-02-report-phone", "annual-report-phone" if docs else None)

    # --- Nothing beyond the reports ---------------------------------------------------------------
    menu = page.locator("nav a[href^='/']").evaluate_all("links => links.map(a => a.pathname)")
    for path_name in set(menu):
        observer.open(path_name)
    assert not failures, failures
    page.remove_listener("response", note_failure)
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    observer.close()
