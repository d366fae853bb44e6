"""Deals in the browser: a member reports a round from the form and sees it, staff confirm it;
Russian and English; the form keeps what was typed when refused."""

from __future__ import annotations

from datetime import date, timedelta

from app.accounts.models import OrganisationKind, Role
from app.deals.models import Deal
from tests.factories import make_member
from tests.html import Page, csrf_from


def test_a_member_reports_a_deal_and_staff_confirm_it(factory) -> None:
    owner = factory.actor(browser=True, locale="en")
    organisation = factory.organisation(owner.user, name="Member Co")
    make_member(factory.database, organisation)
    investor = factory.actor(Role.investor)
    fund = factory.organisation(
        investor.user, kind=OrganisationKind.investor, name="North Fund", verified=True
    )
    staff = factory.actor(Role.staff, browser=True)
    assert owner.browser is not None and staff.browser is not None

    listing = owner.browser.get("/deals?lang=en")
    assert "/deals/new" in [link.href for link in Page(listing.text).links()]
    form = owner.browser.get("/deals/new?lang=en")
    page = Page(form.text)
    assert form.status_code == 200
    assert page.unlabelled_controls() == []
    closed = (date.today() - timedelta(days=1)).isoformat()
    sent = owner.browser.post(
        "/deals/new?lang=en",
        data={
            "csrf_token": csrf_from(form.text),
            "organisation_id": str(organisation.id),
            "amount_rub": "2500000",
            "instrument": "convertible",
            "closed_on": closed,
            "investor_organisation_id": str(fund.id),
            "investor_name": "",
            "source": "external",
            "source_id": "",
        },
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/deals"

    mine = Page(owner.browser.get("/deals?lang=en").text)
    (row,) = mine.table_rows()[1:]
    assert row[0] == "Member Co"
    assert row[1] == "North Fund"
    assert row[2].replace("\xa0", " ") == "RUB 2,500,000"
    assert row[3] == "Convertible note"
    assert row[6] == "Reported"
    assert "Confirm" not in mine.text

    queue = staff.browser.get("/deals?status=reported&lang=ru")
    staff_page = Page(queue.text)
    (staff_row,) = staff_page.table_rows()[1:]
    assert "Заявлена" in staff_row
    assert "Конвертируемый заём" in staff_row
    with factory.database.session_scope(write=False) as session:
        from sqlalchemy import select

        deal_id = session.scalar(select(Deal.id))
    confirmed = staff.browser.post(
        f"/deals/{deal_id}/confirm", data={"csrf_token": csrf_from(queue.text)}
    )
    assert confirmed.status_code == 303
    after = Page(staff.browser.get("/deals?lang=ru").text)
    assert "Подтверждена" in after.table_rows()[1]
    assert "Подтвердить" not in after.text


def test_a_refused_form_keeps_the_values_and_names_every_problem(factory) -> None:
    owner = factory.actor(browser=True)
    organisation = factory.organisation(owner.user)
    make_member(factory.database, organisation)
    assert owner.browser is not None
    form = owner.browser.get("/deals/new?lang=en")

    refused = owner.browser.post(
        "/deals/new?lang=en",
        data={
            "csrf_token": csrf_from(form.text),
            "organisation_id": str(organisation.id),
            "amount_rub": "1000",
            "instrument": "loan",
            "closed_on": (date.today() + timedelta(days=3)).isoformat(),
            "investor_name": "",
            "source": "external",
        },
    )

    assert refused.status_code == 422
    page = Page(refused.text)
    assert set(page.field_errors) >= {"closed_on", "investor_name"}
    assert page.control("amount_rub").get("value") == "1000"
    assert factory.count(Deal) == 0


def test_the_form_is_for_owners_of_member_organisations_and_staff(factory) -> None:
    stranger = factory.actor(browser=True)
    assert stranger.browser is not None

    assert stranger.browser.get("/deals/new").status_code == 403
    listing = Page(stranger.browser.get("/deals?lang=en").text)
    assert "/deals/new" not in [link.href for link in listing.links()]
    assert "No deals yet." in listing.text


def test_staff_home_counts_the_deals_to_confirm(factory) -> None:
    owner = factory.actor()
    organisation = factory.organisation(owner.user)
    make_member(factory.database, organisation)
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    for amount in (100, 200):
        owner.api.post(
            "/api/v1/deals",
            json={
                "organisation_id": organisation.id,
                "amount_rub": amount,
                "instrument": "grant",
                "closed_on": date.today().isoformat(),
                "investor_name": "Regional fund",
                "source": "external",
            },
        )

    home = Page(staff.browser.get("/?lang=en").text)

    (link,) = [link for link in home.links() if link.href == "/deals?status=reported"]
    assert "Deals to confirm" in link.text
    assert "2" in home.text
