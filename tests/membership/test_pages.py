"""The HTML pages: the applicant's page hides the review; the board, register and certificate."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select

from app.accounts.models import Role
from app.membership.models import Membership
from tests.factories import Factory, csrf_from
from tests.membership.helpers import decide, draft, reviewed


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_applicant_page_shows_the_timeline_but_no_reviewer_or_score(factory: Factory) -> None:
    case = reviewed(factory, browser=True, locale="en")
    decide(case, reason="Strong team")
    page = case.applicant.browser.get(f"/applications/{case.application_id}?lang=en")  # type: ignore[union-attr]
    assert page.status_code == 200
    text = " ".join(parse(page.text).parts)
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
    response = browser.post(
        f"/applications/{case.application_id}/submit", data={"csrf_token": token}
    )
    assert response.status_code == 303
    body = case.applicant.api.get(case.url).json()
    assert (body["team"], body["status"]) == ("Новая команда", "submitted")


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
    tags = parse(certificate.text).tags
    assert "svg" in tags and "path" in tags
    assert f"/verify/{code}" in certificate.text
    assert "<script>" not in certificate.text and "style=" not in certificate.text
    stranger = factory.actor()
    assert stranger.api.get(f"/members/{case.organisation.id}/certificate").status_code == 404
    verify = client.get(f"/verify/{code}?lang=ru")  # type: ignore[attr-defined]
    assert "Действует" in verify.text and number in verify.text


def test_committee_member_without_assignment_gets_not_found_page(factory: Factory) -> None:
    case = reviewed(factory)
    outsider = factory.actor(Role.committee)
    assert outsider.api.get(f"/applications/{case.application_id}").status_code == 404
