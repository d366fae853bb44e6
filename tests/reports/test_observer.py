"""The regional observer: reads the staff report (without reviewers' names), the indicators and
the annual report; changes nothing but their own account; staff pages stay closed."""

from __future__ import annotations

from app.accounts.models import Organisation, Role
from app.deals.models import Deal
from tests.factories import make_member
from tests.html import Page, csrf_from
from tests.reports.helpers import build_history


def test_the_observer_reads_the_reports_without_reviewers_names(factory) -> None:
    build_history(factory.database)
    observer = factory.actor(Role.observer, browser=True)
    staff = factory.actor(Role.staff)

    kpis = observer.api.get("/api/v1/reports/kpis")
    indicators = observer.api.get("/api/v1/reports/indicators", params={"year": 2026})
    dashboard = observer.browser.get("/reports?lang=en")
    annual = observer.browser.get("/reports/annual?year=2026&lang=en")
    xlsx = observer.browser.get("/reports/annual?year=2026&format=xlsx")

    assert kpis.status_code == 200
    staff_kpis = staff.api.get("/api/v1/reports/kpis").json()
    assert kpis.json()["funnel"] == staff_kpis["funnel"]
    assert kpis.json()["investment"] == staff_kpis["investment"]
    assert staff_kpis["reviews"]["calibration"]
    assert kpis.json()["reviews"] == {
        "open_by_reviewer": [],
        "committee_mean": None,
        "calibration": [],
    }
    assert indicators.status_code == 200
    assert len(indicators.json()["items"]) >= 17
    assert dashboard.status_code == 200
    assert "Reviewer calibration" not in dashboard.text
    assert annual.status_code == 200
    assert "The cluster's indicators for 2026" in Page(annual.text).text
    assert xlsx.status_code == 200
    menu = [link.href for link in Page(dashboard.text).links()]
    assert "/reports" in menu and "/reports/annual" in menu
    assert "/memberships" not in menu and "/deals" not in menu


def test_the_observer_writes_nothing(factory) -> None:
    observer = factory.actor(Role.observer, browser=True)
    owner = factory.actor()
    organisation = factory.organisation(owner.user)
    make_member(factory.database, organisation)
    organisations_before = factory.count(Organisation)
    assert observer.browser is not None
    token = csrf_from(observer.browser.get("/account").text)

    refused = [
        observer.api.post(
            "/api/v1/organisations",
            json={
                "name": "Region Co",
                "kind": "sme",
                "inn": "7707083893",
                "region": "Москва",
                "sector": "software",
            },
        ),
        observer.api.post(
            "/api/v1/deals",
            json={
                "organisation_id": organisation.id,
                "amount_rub": 1,
                "instrument": "grant",
                "closed_on": "2026-01-01",
                "investor_name": "Region",
                "source": "external",
            },
        ),
        observer.api.post("/api/v1/notifications/read-all"),
        observer.browser.post(
            "/organisations/new", data={"csrf_token": token, "name": "Region Co"}
        ),
        observer.browser.post("/deals/new", data={"csrf_token": token}),
    ]

    assert [r.status_code for r in refused] == [403] * len(refused)
    assert refused[0].json()["detail"] == "Эта учётная запись только для чтения."
    assert factory.count(Organisation) == organisations_before
    assert factory.count(Deal) == 0
    # Their own account stays theirs to manage.
    assert (
        observer.api.patch("/api/v1/me", json={"timezone": "Asia/Novosibirsk"}).json()["timezone"]
        == "Asia/Novosibirsk"
    )


def test_staff_pages_stay_closed_to_the_observer(factory) -> None:
    observer = factory.actor(Role.observer, browser=True)
    assert observer.browser is not None

    for path in ("/memberships", "/courses", "/introductions/queue", "/staff/outbox"):
        assert observer.browser.get(path).status_code == 403, path
    for path in ("/api/v1/outbox", "/api/v1/users"):
        assert observer.api.get(path).status_code == 403, path


def test_members_and_visitors_do_not_get_the_region_report(factory, client) -> None:
    member = factory.actor(Role.investor, Role.partner, Role.committee)

    assert member.api.get("/api/v1/reports/indicators").status_code == 403
    assert client.get("/api/v1/reports/indicators").status_code == 401
    assert client.get("/reports/annual", follow_redirects=False).status_code == 303


def test_the_observer_home_leads_to_the_reports_and_the_menu_to_nothing_else(factory) -> None:
    observer = factory.actor(Role.observer, browser=True)
    assert observer.browser is not None

    home = Page(observer.browser.get("/?lang=en").text)

    hrefs = [link.href for link in home.links()]
    assert "/reports" in hrefs
    assert any(href.startswith("/reports/annual?year=") for href in hrefs)
    for private in ("/organisations", "/applications", "/meetings", "/introductions", "/deals"):
        assert private not in hrefs, private
    assert "/library" in hrefs and "/numbers" in hrefs
