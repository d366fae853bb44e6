"""Forms that help on applications: the required documents before submission, committee forms
that assume nothing, a refused draft edit that keeps what was typed and names every problem."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.config import get_settings
from app.membership.models import Assignment
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import PDF, SECTIONS, attach_business_plan, draft, reviewed, submitted


@contextmanager
def required_documents(kinds: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_MEMBERSHIP_REQUIRED_DOCUMENTS", kinds)
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()
    get_settings.cache_clear()


def test_the_api_refuses_a_submission_without_the_business_plan_and_names_it(
    factory: Factory,
) -> None:
    case = draft(factory)
    refused = case.applicant.api.post(f"{case.url}/submit?lang=en")
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["body", "attachments"],
            "msg": "Attach the required documents before submitting: Business plan.",
            "input": None,
        }
    ]
    other = case.applicant.api.post(
        f"{case.url}/attachments", files={"file": ("deck.pdf", PDF, "application/pdf")}
    )
    assert other.json()["kind"] == "other"  # an upload that does not say what it is
    assert case.applicant.api.post(f"{case.url}/submit").status_code == 422
    assert case.applicant.api.get(case.url).json()["status"] == "draft"
    attach_business_plan(case)
    accepted = case.applicant.api.post(f"{case.url}/submit")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "submitted")


def test_empty_sections_and_missing_documents_are_told_in_one_answer(factory: Factory) -> None:
    applicant = factory.actor()
    organisation = factory.organisation(applicant.user)
    created = applicant.api.post(
        "/api/v1/applications", json={"organisation_id": organisation.id, "summary": "Дроны"}
    ).json()
    refused = applicant.api.post(f"/api/v1/applications/{created['id']}/submit")
    assert refused.status_code == 422
    assert [error["loc"][1] for error in refused.json()["detail"]] == [
        "innovation",
        "market",
        "team",
        "funding_needs",
        "attachments",
    ]


def test_the_required_kinds_are_a_setting(factory: Factory) -> None:
    with required_documents('["business_plan", "financial_statements"]'):
        case = draft(factory, browser=True)
        attach_business_plan(case)
        refused = case.applicant.api.post(f"{case.url}/submit")
        assert refused.json()["detail"][0]["msg"] == (
            "Приложите обязательные документы перед подачей: Финансовая отчётность."
        )
        page = Page(case.applicant.browser.get(f"/applications/{case.application_id}").text)  # type: ignore[union-attr]
        assert page.find(id="missing-documents").text == "Нужно до подачи: Финансовая отчётность."
    with required_documents("[]"):
        bare = draft(factory)
        assert bare.applicant.api.post(f"{bare.url}/submit").status_code == 200


def test_a_reviewer_must_choose_whether_there_is_a_conflict(factory: Factory) -> None:
    case = submitted(factory)
    staff = factory.actor(Role.staff)
    reviewer = factory.actor(Role.committee, browser=True)
    staff.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})
    browser = reviewer.browser
    assert browser is not None
    page_url = f"/applications/{case.application_id}"
    page = Page(browser.get(page_url).text)
    form = page.form(f"{page_url}/declaration")
    assert "conflict" not in form.fields  # neither answer is chosen in advance
    response = browser.post(f"{page_url}/declaration", data={"csrf_token": page.csrf_token})
    assert response.status_code == 303
    assert Page(browser.get(page_url).text).flashes == [
        "Укажите, есть ли у вас конфликт интересов."
    ]
    with factory.database.session_scope(write=False) as session:
        assignment = session.scalar(select(Assignment).where(Assignment.reviewer_id == reviewer.id))
        assert assignment is not None and assignment.declared_at is None
    assert reviewer.api.get(case.url).json()["attachments"]  # listed ...
    document = reviewer.api.get(case.url).json()["attachments"][0]["url"]
    assert reviewer.api.get(document).status_code == 403  # ... but still closed to them


def test_the_chair_must_choose_the_decision(factory: Factory) -> None:
    case = reviewed(factory)
    chair = factory.actor(Role.chair, browser=True)
    browser = chair.browser
    assert browser is not None
    page_url = f"/applications/{case.application_id}"
    page = Page(browser.get(page_url).text)
    form = page.form(f"{page_url}/decision")
    assert form.fields["decision"] == ""  # the placeholder, not "Approved"
    options = form.element.find(id="field-decision").find_all("option")
    assert not any("selected" in option.attrs for option in options[1:])
    review_form_recommendation = [
        o for o in page.find_all("option") if o.get("value") == "approve" and "selected" in o.attrs
    ]
    assert review_form_recommendation == []
    response = browser.post(
        f"{page_url}/decision",
        data={"csrf_token": page.csrf_token, "decision": "", "reason": ""},
    )
    assert response.status_code == 303
    assert Page(browser.get(page_url).text).flashes == [
        "Выберите решение: одобрить, отклонить или запросить доработку. "
        "Укажите заявителю причину (до 5 000 символов)."
    ]
    assert case.applicant.api.get(case.url).json()["status"] == "under_review"


def test_a_refused_draft_edit_names_every_problem_and_keeps_what_was_typed(
    factory: Factory,
) -> None:
    case = draft(factory, browser=True)
    browser = case.applicant.browser
    assert browser is not None
    page_url = f"/applications/{case.application_id}"
    token = csrf_from(browser.get(page_url).text)
    typed = {
        "summary": "Новое резюме",
        "team": "x" * 10_001,
        "competitors": "competitor-name",
        "shareholders": "7707083894",
    }
    response = browser.post(f"{page_url}/edit", data={"csrf_token": token, **typed})
    assert response.status_code == 422
    page = Page(response.text)
    assert page.field_errors == {
        "team": "Значение слишком длинное.",
        "competitors": "Указывайте организации по ИНН или номеру на портале.",
        "shareholders": "ИНН 7707083894 некорректен.",
    }
    assert page.control("summary").text == "Новое резюме"
    assert page.control("competitors").text == "competitor-name"

    typed["team"] = "Пять инженеров"  # the schema is satisfied: the service names the same two
    response = browser.post(f"{page_url}/edit", data={"csrf_token": token, **typed})
    assert response.status_code == 422
    assert set(Page(response.text).field_errors) == {"competitors", "shareholders"}
    stored = case.applicant.api.get(case.url).json()
    assert (stored["summary"], stored["team"]) == (SECTIONS["summary"], SECTIONS["team"])


def test_the_application_page_states_the_limits_next_to_the_fields(factory: Factory) -> None:
    case = draft(factory, browser=True, locale="en")
    page = Page(case.applicant.browser.get(f"/applications/{case.application_id}?lang=en").text)  # type: ignore[union-attr]
    assert page.find(id="file-help").text.startswith("PDF only, at most 10 MB.")
    assert page.find(id="summary-help").text == "Up to 10,000 characters."
    assert page.control("summary").get("maxlength") == "10000"
