"""The HTML pages: the applicant's page hides the review; the board, register and certificate."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.membership.models import Membership
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import PDF, SECTIONS, decide, draft, reviewed


def test_applicant_page_shows_the_timeline_but_no_reviewer_or_score(factory: Factory) -> None:
    case = reviewed(factory, browser=True, locale="en")
    decide(case, reason="Strong team")
    page = case.applicant.browser.get(f"/applications/{case.application_id}?lang=en")  # type: ignore[union-attr]
    assert page.status_code == 200
    text = Page(page.text).text
    assert "Approved" in text and "Strong team" in text
    for secret in ("Secretname", "Secret reviewer comment", "Chair Person", "Weighted", "Median"):
        assert secret not in page.text
    board = case.chair.api.get(f"/applications/{case.application_id}?lang=en")  # type: ignore[union-attr]
    assert board.status_code == 200
    assert "Reviewer Secretname0" in board.text and "Weighted mean" in board.text


def test_applicant_edits_and_submits_through_the_form(factory: Factory) -> None:
    case = draft(factory, browser=True)
    browser = case.applicant.browser
    assert browser is not None
    page = browser.get(f"/applications/{case.application_id}")
    token = csrf_from(page.text)
    response = browser.post(
        f"/applications/{case.application_id}/edit",
        data={"team": "Новая команда", "csrf_token": token},
    )
    assert response.status_code == 303
    page_url = f"/applications/{case.application_id}"
    page = Page(browser.get(page_url).text)
    assert page.find(id="missing-documents").text == "Нужно до подачи: Бизнес-план."
    response = browser.post(f"{page_url}/submit", data={"csrf_token": token})
    assert response.status_code == 303
    assert Page(browser.get(page_url).text).flashes == [
        "Приложите обязательные документы перед подачей: Бизнес-план."
    ]
    assert case.applicant.api.get(case.url).json()["status"] == "draft"

    upload = page.form(f"{page_url}/attachments")
    assert upload.fields["kind"] == "business_plan"  # the missing kind is offered first
    response = browser.post(
        f"{page_url}/attachments",
        data={"csrf_token": token, "kind": "business_plan"},
        files={"file": ("plan.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    page = Page(browser.get(page_url).text)
    assert not page.find_all(id="missing-documents")
    response = browser.post(f"{page_url}/submit", data={"csrf_token": token})
    assert response.status_code == 303
    body = case.applicant.api.get(case.url).json()
    assert (body["team"], body["status"]) == ("Новая команда", "submitted")
    assert [doc["kind"] for doc in body["attachments"]] == ["business_plan"]


def test_chair_board_lists_aggregates_and_staff_can_export_csv(factory: Factory) -> None:
    case = reviewed(factory)
    board = case.chair.api.get("/applications?lang=en")  # type: ignore[union-attr]
    assert board.status_code == 200
    assert "Applications board" in board.text and "4.5" in board.text
    export = case.staff.api.get("/applications?format=csv")  # type: ignore[union-attr]
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith("\ufeff".encode())
    assert f"ГеоСкан,{case.organisation.inn},software,Новосибирская область,under_review" in (
        export.text
    )


def test_register_page_and_certificate_with_inline_qr_code(
    factory: Factory, client: object
) -> None:
    case = reviewed(factory)
    decide(case)
    with factory.database.session_scope(write=False) as session:
        membership = session.scalar(select(Membership))
        assert membership is not None
        number, code = membership.number, membership.verify_code
    register = client.get("/members?lang=en")  # type: ignore[attr-defined]
    assert register.status_code == 200
    assert "ГеоСкан" in register.text and number in register.text

    certificate = case.applicant.api.get(f"/members/{case.organisation.id}/certificate")
    assert certificate.status_code == 200
    qr_code = Page(certificate.text).find("svg")
    assert qr_code.find_all("path")
    assert f"/verify/{code}" in certificate.text
    assert "<script>" not in certificate.text and "style=" not in certificate.text
    stranger = factory.actor()
    assert stranger.api.get(f"/members/{case.organisation.id}/certificate").status_code == 404
    verify = client.get(f"/verify/{code}?lang=ru")  # type: ignore[attr-defined]
    assert "Действует" in verify.text and number in verify.text


def test_committee_member_without_assignment_gets_not_found_page(factory: Factory) -> None:
    case = reviewed(factory)
    outsider = factory.actor(Role.committee)
    response = outsider.api.get(f"/applications/{case.application_id}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert Page(response.text).find("h1").text == "Страница не найдена"
    for secret in ("ГеоСкан", SECTIONS["summary"], "Secretname"):
        assert secret not in response.text
