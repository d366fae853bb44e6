"""Forms that help with accounts and training: every problem on the first submit, what was typed
kept, a bare domain accepted as a website, the limits stated beside the fields."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Organisation, Role
from app.db import utcnow
from app.training.models import TrainingSession
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.training.helpers import make_course

REQUIRED = "Это поле обязательно для заполнения."


def _post_form(client: TestClient, page_url: str, action: str, data: dict[str, str]) -> object:
    token = csrf_from(client.get(page_url).text)
    return client.post(action, data={"csrf_token": token, **data})


def test_the_organisation_form_names_every_problem_at_once_and_keeps_what_was_typed(
    factory: Factory,
) -> None:
    owner = factory.actor(browser=True)
    assert owner.browser is not None
    typed = {
        "name": "",
        "kind": "sme",
        "inn": "7707083894",
        "ogrn": "1027700132196",
        "region": "Томская область",
        "sector": "software",
        "website": "not a site",
        "description": "Сервисы",
    }
    response = _post_form(owner.browser, "/organisations/new", "/organisations/new", typed)
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = Page(response.text)  # type: ignore[attr-defined]
    assert page.field_errors == {
        "name": REQUIRED,
        "inn": "Некорректный ИНН: проверьте цифры.",
        "ogrn": "Некорректный ОГРН: проверьте цифры.",
        "website": "Введите корректный адрес сайта.",
    }
    assert page.control("inn").get("value") == "7707083894"
    assert page.control("region").get("value") == "Томская область"
    assert factory.count(Organisation) == 0


def test_a_website_without_a_scheme_is_accepted_and_stored_with_https(factory: Factory) -> None:
    owner = factory.actor(browser=True)
    assert owner.browser is not None
    typed = {
        "name": "ГеоТех",
        "kind": "sme",
        "inn": "7707083893",
        "region": "Томская область",
        "sector": "software",
        "website": "geotech.example.ru",
    }
    response = _post_form(owner.browser, "/organisations/new", "/organisations/new", typed)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    organisation_id = int(response.headers["location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    url = f"/api/v1/organisations/{organisation_id}"
    assert owner.api.get(url).json()["website"] == "https://geotech.example.ru"

    changed = owner.api.patch(url, json={"website": "www.geotech.example.ru/about"})
    assert changed.status_code == 200
    assert owner.api.get(url).json()["website"] == "https://www.geotech.example.ru/about"
    kept = owner.api.patch(url, json={"website": "http://geotech.example.ru/"})
    assert kept.json()["website"] == "http://geotech.example.ru"
    refused = owner.api.patch(url, json={"website": "ftp://geotech.example.ru"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "website"]
    assert owner.api.get(url).json()["website"] == "http://geotech.example.ru"


def test_the_organisation_form_states_its_limits(factory: Factory) -> None:
    owner = factory.actor(browser=True, locale="en")
    page = Page(owner.browser.get("/organisations/new?lang=en").text)  # type: ignore[union-attr]
    assert page.find(id="name-help").text == "Up to 200 characters."
    assert page.find(id="website-help").text == (
        "For example example.ru: https:// is added when left out."
    )
    assert page.control("website").get("type") == "text"  # the browser lets "example.ru" through
    assert page.control("description").get("maxlength") == "10000"


def test_the_session_form_names_every_problem_at_once(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    course = make_course(staff.api)
    page_url = f"/courses/{course['id']}"
    starts = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    typed = {"starts_at": starts, "ends_at": "", "capacity": "0", "location": ""}
    response = _post_form(staff.browser, page_url, f"{page_url}/sessions", typed)
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = Page(response.text)  # type: ignore[attr-defined]
    assert page.field_errors == {
        "ends_at": REQUIRED,
        "capacity": "Значение слишком мало.",
        "location": "Укажите место проведения или ссылку на онлайн-трансляцию.",
    }
    assert page.control("starts_at").get("value") == starts

    ends = (utcnow() - timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    typed = {"starts_at": starts, "ends_at": ends, "capacity": "5", "location": ""}
    response = _post_form(staff.browser, page_url, f"{page_url}/sessions", typed)
    assert Page(response.text).field_errors == {  # type: ignore[attr-defined]
        "starts_at": "Занятие не может начинаться в прошлом.",
        "location": "Укажите место проведения или ссылку на онлайн-трансляцию.",
    }
    assert factory.count(TrainingSession) == 0


def test_the_course_form_names_every_problem_at_once(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    typed = {"title": "", "completion_rule": "at_least", "min_sessions": ""}
    response = _post_form(staff.browser, "/courses", "/courses", typed)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert Page(response.text).field_errors == {  # type: ignore[attr-defined]
        "title": REQUIRED,
        "min_sessions": "Укажите, сколько занятий нужно посетить.",
    }
