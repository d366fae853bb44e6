"""Bilingual content: each reader sees courses, sessions, library items, pitch days and
investor and partner profiles in their language when a version exists, otherwise the original,
marked as such."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.notifications.models import OutboxMessage
from app.training.models import Course
from tests.client import TestClient
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.introductions.helpers import make_world
from tests.library.helpers import create_item, search_titles
from tests.meetings.helpers import in_days, investor
from tests.training.helpers import make_course, make_session

ENGLISH = {"en": {"title": "Business plan", "description": "Five evenings on the pitch."}}


def _links(html: str, href: str) -> list[str]:
    """The texts of the links to `href`."""
    return [link.text for link in Page(html).links() if link.href == href]


def _headings(html: str) -> list[str]:
    return Page(html).texts("h1")


def test_a_course_created_through_the_api_is_listed_in_each_readers_language(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff, browser=True)
    course = make_course(
        staff.api, title="Бизнес-план", description="Пять вечеров о питче.", translations=ENGLISH
    )
    assert course["translations"] == ENGLISH
    assert staff.api.get(f"/api/v1/courses/{course['id']}").json()["translations"] == ENGLISH
    assert staff.browser is not None

    english = staff.browser.get("/courses?lang=en").text
    russian = staff.browser.get("/courses?lang=ru").text

    assert _links(english, f"/courses/{course['id']}") == ["Business plan"]
    assert _links(russian, f"/courses/{course['id']}") == ["Бизнес-план"]
    make_session(staff.api, course["id"])
    anonymous = TestClient(factory.app)
    catalogue = anonymous.get("/sessions?lang=en").text
    assert "Business plan" in catalogue and "Бизнес-план" not in catalogue
    assert "Бизнес-план" in anonymous.get("/sessions?lang=ru").text


def test_a_course_without_a_translation_is_shown_in_its_language_and_marked(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff, browser=True)
    course = make_course(staff.api, title="Финансовая модель")
    assert course["translations"] == {}
    assert staff.browser is not None
    page = staff.browser.get("/courses?lang=en").text
    assert _links(page, f"/courses/{course['id']}") == ["Финансовая модель (in Russian)"]
    assert '<span lang="ru">Финансовая модель</span> <small class="fallback">' in page
    russian = staff.browser.get("/courses?lang=ru").text
    assert _links(russian, f"/courses/{course['id']}") == ["Финансовая модель"]
    english_course = make_course(staff.api, title="Pitch deck", language="en")
    russian_view = staff.browser.get("/courses?lang=ru").text
    assert _links(russian_view, f"/courses/{english_course['id']}") == [
        "Pitch deck (на английском)"
    ]


def test_staff_write_the_english_version_in_the_course_form(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    form_page = staff.browser.get("/courses?lang=en").text
    assert "Version in the other language" in form_page
    response = staff.browser.post(
        "/courses",
        data={
            "csrf_token": csrf_from(form_page),
            "title": "Оценка рынка",
            "description": "Как посчитать рынок.",
            "language": "ru",
            "completion_rule": "all_sessions",
            "tr_title": "Market sizing",
            "tr_description": "How to size a market.",
        },
    )
    assert response.status_code == 303, response.text
    with factory.database.session_scope(write=False) as session:
        course = session.scalars(select(Course).where(Course.title == "Оценка рынка")).one()
        assert course.translations == {
            "en": {"title": "Market sizing", "description": "How to size a market."}
        }
        course_id = course.id
    assert _headings(staff.browser.get(f"/courses/{course_id}?lang=en").text) == ["Market sizing"]
    assert _headings(staff.browser.get(f"/courses/{course_id}?lang=ru").text) == ["Оценка рынка"]


@pytest.mark.parametrize(
    "translations",
    [
        {"de": {"title": "Geschäftsplan"}},
        {"en": {"venue": "Room 2"}},
        {"en": {"title": "x" * 201}},
        {"en": {"title": 5}},
        {"en": "Business plan"},
        ["en"],
    ],
)
def test_a_translation_of_an_unknown_language_or_field_or_too_long_is_refused(
    factory: Factory, translations: Any
) -> None:
    staff = factory.actor(Role.staff)
    response = staff.api.post(
        "/api/v1/courses", json={"title": "Курс", "translations": translations}
    )
    assert response.status_code == 422, response.text
    assert factory.count(Course) == 0


def test_the_enrolment_email_names_the_course_in_the_recipients_language(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Бизнес-план", translations=ENGLISH)
    session = make_session(staff.api, course["id"])
    reader = factory.actor(locale="en")
    assert reader.api.post(f"/api/v1/sessions/{session['id']}/enrolments").status_code == 201
    with factory.database.session_scope(write=False) as db:
        mail = db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_email == reader.user.email,
                OutboxMessage.kind.startswith("training"),
            )
        ).all()
    assert mail and all("Business plan" in m.subject for m in mail), [m.subject for m in mail]
    assert all("Бизнес-план" not in m.body_text for m in mail)
    assert all("<span" not in m.body_text for m in mail)


def test_an_english_search_finds_a_russian_item_by_its_english_version(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(
        staff.api,
        title="Налоговые льготы",
        summary="Пониженные ставки для ИТ-компаний.",
        translations={"en": {"title": "Tax relief", "summary": "Reduced rates for IT companies."}},
    )
    create_item(staff.api, title="Гранты", summary="Деньги на НИОКР.")
    assert item["translations"]["en"]["title"] == "Tax relief"

    assert search_titles(staff.api, "relief") == ["Налоговые льготы"]
    assert search_titles(staff.api, "льготы") == ["Налоговые льготы"]
    reader = factory.actor(browser=True)
    assert reader.browser is not None
    english = reader.browser.get("/library?q=reduced+rates&lang=en").text
    assert _links(english, f"/library/{item['id']}") == ["Tax relief"]
    assert _headings(reader.browser.get(f"/library/{item['id']}?lang=en").text) == ["Tax relief"]
    russian = reader.browser.get("/library?lang=ru").text
    assert _links(russian, f"/library/{item['id']}") == ["Налоговые льготы"]

    edited = staff.api.put(
        f"/api/v1/library/{item['id']}",
        json={
            "title": "Налоговые льготы",
            "language": "ru",
            "category": "other",
            "translations": {"en": {"title": "Tax breaks"}},
        },
    )
    assert edited.status_code == 200, edited.text
    assert search_titles(staff.api, "breaks") == ["Налоговые льготы"]
    assert search_titles(staff.api, "relief") == []


def test_a_pitch_day_shows_its_name_and_venue_in_each_readers_language(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    response = staff.api.post(
        "/api/v1/pitch-days",
        json={
            "date": in_days(7),
            "slot_starts": ["10:00", "10:30"],
            "slot_minutes": 25,
            "tables": 2,
            "name": "Осенний день питчей",
            "venue": "Технопарк, зал 2",
            "translations": {"en": {"name": "Autumn pitch day", "venue": "Technopark, hall 2"}},
        },
    )
    assert response.status_code == 201, response.text
    day = response.json()
    assert day["translations"]["en"]["venue"] == "Technopark, hall 2"
    assert staff.browser is not None
    english = staff.browser.get(f"/pitch-days/{day['id']}?lang=en").text
    assert "Autumn pitch day" in english and "Technopark, hall 2" in english
    assert "Осенний день питчей" not in english
    russian = staff.browser.get(f"/pitch-days/{day['id']}?lang=ru").text
    assert "Осенний день питчей" in russian and "Technopark" not in russian
    refused = staff.api.post(
        "/api/v1/pitch-days",
        json={
            "date": in_days(7),
            "slot_starts": ["10:00"],
            "slot_minutes": 25,
            "tables": 2,
            "translations": {"en": {"title": "Autumn"}},
        },
    )
    assert refused.status_code == 422


def test_staff_write_the_english_name_of_a_pitch_day_in_its_form(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    form_page = staff.browser.get("/pitch-days/new?lang=en").text
    assert "English version" in form_page
    response = staff.browser.post(
        "/pitch-days/new",
        data={
            "csrf_token": csrf_from(form_page),
            "name": "Осенний день питчей",
            "venue": "Технопарк, зал 2",
            "timezone": "Europe/Moscow",
            "date": in_days(7),
            "first_slot": "10:00",
            "slot_count": "2",
            "slot_minutes": "20",
            "break_minutes": "0",
            "tables": "2",
            "tr_name": "Autumn pitch day",
            "tr_venue": "",
        },
    )
    assert response.status_code == 303, response.text
    path = response.headers["location"]
    english = staff.browser.get(f"{path}?lang=en").text
    assert "Autumn pitch day" in english
    # no English venue: the Russian one, marked
    assert '<span lang="ru">Технопарк, зал 2</span>' in english
    edit = staff.browser.get(f"{path}/edit?lang=en").text
    assert 'value="Autumn pitch day"' in edit


def test_investor_and_partner_profiles_in_each_readers_language(factory: Factory) -> None:
    investor_actor, fund = investor(factory)
    saved = investor_actor.api.put(
        f"/api/v1/organisations/{fund.id}/investor-profile",
        json={
            "thesis": "Инвестируем в геоинформатику.",
            "translations": {"en": {"thesis": "We invest in geoinformatics."}},
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["translations"] == {"en": {"thesis": "We invest in geoinformatics."}}
    kept = investor_actor.api.put(
        f"/api/v1/organisations/{fund.id}/investor-profile",
        json={"thesis": "Инвестируем в геоинформатику и ИИ."},
    )
    assert kept.json()["translations"] == {"en": {"thesis": "We invest in geoinformatics."}}
    staff = factory.actor(Role.staff, browser=True)
    assert staff.browser is not None
    english = staff.browser.get("/investors?lang=en").text
    assert "We invest in geoinformatics." in english and "Инвестируем" not in english
    assert "Инвестируем в геоинформатику и ИИ." in staff.browser.get("/investors?lang=ru").text
    bad = investor_actor.api.put(
        f"/api/v1/organisations/{fund.id}/investor-profile",
        json={"translations": {"en": {"thesis": "x" * 5001}}},
    )
    assert bad.status_code == 422

    world = make_world(factory, browser=True)
    update = world.partner.api.put(
        f"/api/v1/partners/{world.partner_org.id}",
        json={
            "summary": "Ищем пилоты.",
            "translations": {"en": {"summary": "Looking for pilots."}},
        },
    )
    assert update.status_code == 200, update.text
    assert update.json()["translations"] == {"en": {"summary": "Looking for pilots."}}
    assert world.member.browser is not None
    partners_en = world.member.browser.get("/partners?lang=en").text
    assert "Looking for pilots." in partners_en and "Ищем пилоты." not in partners_en
    assert "Ищем пилоты." in world.member.browser.get("/partners?lang=ru").text
    refused = world.partner.api.put(
        f"/api/v1/partners/{world.partner_org.id}",
        json={"summary": "x", "translations": {"fr": {"summary": "Bonjour"}}},
    )
    assert refused.status_code == 422
