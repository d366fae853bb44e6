"""The home page after login: a part per role, each item a link to where it is done, with its
count and due date; anonymous visitors keep the public home."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from app.accounts.models import Role
from app.i18n import format_date, use_locale
from app.membership.models import Assignment
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page, squash
from tests.membership.helpers import decide, reviewed
from tests.portal import helpers
from tests.portal.helpers import workspace


def test_visitors_keep_the_public_home(client: TestClient) -> None:
    page = Page(client.get("/").text)
    assert page.find("h2", id="services-heading").text == "Что предлагает кластер"
    assert page.find_all("section", class_="workspace-part") == []


def test_an_applicant_sees_the_steps_and_what_is_missing(factory: Factory) -> None:
    person, application_id = helpers.applicant(factory)
    [item] = workspace(person.browser)["applicant"]
    assert item.href == f"/applications/{application_id}"
    assert "Черновик" in item.text
    assert "Документ ещё не загружен." in item.text
    current = Page(person.browser.get("/").text).find("li", class_="step-current")  # type: ignore[union-attr]
    assert current.text == "Черновик"


def test_an_applicant_asked_for_changes_reads_what_the_committee_asked(factory: Factory) -> None:
    case = reviewed(factory)
    assert decide(case, "changes_requested", "Add the market study").status_code == 200
    case.applicant.browser = factory.browser_client(case.applicant.user)
    [item] = workspace(case.applicant.browser)["applicant"]
    assert item.label == "Заявка «ГеоСкан»: Требуются доработки"
    assert "Комитет просит изменить: Add the market study" in item.text


def test_a_committee_member_with_one_review_due_sees_it_and_its_due_date(
    factory: Factory,
) -> None:
    reviewer, application_id = helpers.committee_member(factory)
    due = date.today() + timedelta(days=5)
    with factory.database.session_scope() as session:
        session.execute(update(Assignment).values(due_on=due))
    [item] = workspace(reviewer.browser)["committee"]
    assert (item.label, item.count) == ("Рецензии к написанию", "1")
    assert item.href == f"/applications/{application_id}#committee-title"
    with use_locale("ru"):
        assert f"срок: {squash(format_date(due))}" in item.text
    page = Page(reviewer.browser.get(item.href).text)  # type: ignore[union-attr]
    assert page.find_all("form", action=f"/applications/{application_id}/review")


def test_a_committee_member_without_work_sees_a_friendly_empty_state(factory: Factory) -> None:
    member = factory.actor(Role.committee, browser=True)
    [empty] = workspace(member.browser)["committee"]
    assert (empty.href, empty.text) == ("", "Деклараций и рецензий к сроку нет. Спасибо!")


def test_the_chair_sees_applications_ready_to_decide_and_disagreements(factory: Factory) -> None:
    chair, application_id = helpers.chair(factory)
    items = {item.label: item for item in workspace(chair.browser)["chair"]}
    assert items.keys() == {"Заявки, готовые к решению", "Расхождения в рецензиях"}
    for item in items.values():
        assert (item.count, item.href) == ("1", f"/applications/{application_id}")


def test_staff_see_the_queues_of_the_cluster(factory: Factory) -> None:
    staff = helpers.staff(factory)
    items = {item.label: item for item in workspace(staff.browser)["staff"]}
    assert {label: item.count for label, item in items.items()} == {
        "Организации на проверку": "1",
        "Знакомства к обработке": "1",
        "Занятия с листом ожидания": "1",
        "Недоставленные письма": str(items["Недоставленные письма"].count),
    }
    assert items["Недоставленные письма"].href == "/staff/outbox?status=dead"
    assert int(items["Недоставленные письма"].count) >= 1
    assert items["Знакомства к обработке"].href.startswith("/introductions/")
    assert items["Занятия с листом ожидания"].href.startswith("/sessions/")


def test_an_investor_sees_the_requests_to_answer(factory: Factory) -> None:
    investor = helpers.investor_with_request(factory)
    [item] = workspace(investor.browser)["investor"]
    assert (item.label, item.count, item.href) == (
        "Запросы на встречу, ждущие ответа",
        "1",
        "/investor-inbox",
    )


def test_a_partner_sees_the_forwarded_introduction(factory: Factory) -> None:
    partner, introduction_id = helpers.partner_with_request(factory)
    [item] = workspace(partner.browser)["partner"]
    assert (item.count, item.href) == ("1", f"/introductions/{introduction_id}")


def test_a_member_sees_sessions_recommended_investors_and_introductions(
    factory: Factory,
) -> None:
    member = helpers.member(factory)
    items = workspace(member.browser)["member"]
    labels = [item.label for item in items]
    assert labels[0] == "Ваши предстоящие занятия"
    assert items[0].count == "1"
    assert any(label.startswith("Рекомендуемый инвестор:") for label in labels)
    assert "Попросить о знакомстве с партнёром" in labels


def test_a_person_with_two_roles_sees_both_parts(factory: Factory) -> None:
    person = helpers.member(factory, Role.committee)
    parts = workspace(person.browser)
    assert list(parts) == ["committee", "member"]


def test_a_newcomer_is_shown_the_first_steps(factory: Factory) -> None:
    newcomer = factory.actor(browser=True)
    [item] = workspace(newcomer.browser)["start"]
    assert item.href == "/organisations/new"
