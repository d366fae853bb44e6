"""Every accounts page renders in Russian and English, labelled and fully translated; forms
re-render with field errors; the language switch persists; times follow the user's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache

import pytest
from sqlalchemy import select, update

from app.accounts.models import (
    ApiToken,
    Organisation,
    OrganisationInvitation,
    OrganisationKind,
    Role,
    User,
)
from app.i18n import translations_for
from app.i18n_catalogue import extract
from app.notifications.models import OutboxMessage
from tests.client import TestClient
from tests.factories import PASSWORD, Actor, Factory
from tests.html import Page, csrf_from

PLACEHOLDER = re.compile(r"%\(\w+\)s")


@cache
def _catalogue_pairs() -> list[tuple[str, str]]:
    """(English msgid, Russian translation) of every plain string of the core and accounts."""
    russian = translations_for("ru")
    pairs = []
    for scope in ("messages", "accounts"):
        for msgid in extract(scope):
            if isinstance(msgid, str) and not PLACEHOLDER.search(msgid):
                translated = russian.gettext(msgid)
                if translated != msgid:
                    pairs.append((msgid, translated))
    return pairs


def _foreign_strings(page: Page, locale: str) -> set[str]:
    """Strings of the other language that the page shows as a whole text or attribute."""
    shown = page.shown_strings | {s.rstrip(":") for s in page.shown_strings}
    index = 0 if locale == "ru" else 1
    return {pair[index] for pair in _catalogue_pairs()} & shown


def assert_page(response, locale: str, status: int = 200) -> Page:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.html_lang == locale
    assert page.title.strip()
    assert page.unlabelled_controls() == []
    assert len(page.ids) == len(set(page.ids)), "duplicate element ids"
    assert _foreign_strings(page, locale) == set()
    return page


@pytest.fixture
def world(factory: Factory) -> dict[str, object]:
    owner = factory.actor(browser=True)
    admin = factory.actor(Role.admin, browser=True)
    organisation = factory.organisation(owner.user, name="ООО Геоскан")
    return {"owner": owner, "admin": admin, "organisation": organisation}


def _member_pages(organisation_id: int) -> list[tuple[str, int]]:
    return [
        ("/", 200),
        ("/account", 200),
        ("/organisations", 200),
        ("/organisations/new", 200),
        (f"/organisations/{organisation_id}", 200),
        (f"/organisations/{organisation_id}/edit", 200),
        ("/organisations/999999", 404),
        ("/no-such-page", 404),
    ]


ANONYMOUS_PAGES = [
    ("/", 200),
    ("/login", 200),
    ("/register", 200),
    ("/password-reset", 200),
    ("/password-reset/not-a-real-link", 404),
    ("/privacy", 200),
    ("/no-such-page", 404),
]

# A few strings every reader meets, in both languages, so a silently empty catalogue fails.
NAVIGATION = {
    "ru": {"Войти", "Зарегистрироваться", "Портал кластера", "Перейти к содержимому"},
    "en": {"Log in", "Register", "Cluster Portal", "Skip to content"},
}
SIGNED_IN = {
    "ru": {"Организации", "Выйти"},
    "en": {"Organisations", "Log out"},
}


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_anonymous_pages_render_in_the_language_asked_for(client: TestClient, locale: str) -> None:
    for path, status in ANONYMOUS_PAGES:
        page = assert_page(client.get(f"{path}?lang={locale}"), locale, status)
        assert NAVIGATION[locale] <= page.shown_strings, path


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_signed_in_pages_render_in_the_language_asked_for(
    world: dict[str, object], locale: str
) -> None:
    owner, admin = world["owner"], world["admin"]
    organisation = world["organisation"]
    assert isinstance(owner, Actor) and isinstance(admin, Actor) and owner.browser and admin.browser
    assert isinstance(organisation, Organisation)
    for path, status in _member_pages(organisation.id):
        page = assert_page(owner.browser.get(f"{path}?lang={locale}"), locale, status)
        assert SIGNED_IN[locale] <= page.shown_strings, path
    page = assert_page(admin.browser.get(f"/admin/users?lang={locale}"), locale)
    assert {"Пользователи" if locale == "ru" else "Users"} <= page.shown_strings
    assert {owner.user.email, admin.user.email} <= page.shown_strings


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_signed_in_pages_follow_the_users_own_locale(factory: Factory, locale: str) -> None:
    actor = factory.actor(Role.admin, browser=True, locale=locale)
    assert actor.browser is not None
    organisation = factory.organisation(actor.user)
    for path, status in [*_member_pages(organisation.id), ("/admin/users", 200)]:
        page = assert_page(actor.browser.get(path), locale, status)
        assert SIGNED_IN[locale] <= page.shown_strings, path


def test_users_locale_wins_over_the_browsers_accept_language(factory: Factory) -> None:
    actor = factory.actor(browser=True, locale="en")
    assert actor.browser is not None
    response = actor.browser.get("/account", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert_page(response, "en")


def test_anonymous_visitor_gets_the_accept_language_locale(client: TestClient) -> None:
    assert_page(client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}), "en")
    assert_page(client.get("/login", headers={"Accept-Language": "de-DE"}), "ru")


# --- Forms re-rendered with field errors ------------------------------------------------------


def _csrf(client: TestClient, path: str) -> str:
    return csrf_from(client.get(path).text)


def test_register_form_rerenders_field_errors_in_russian(
    client: TestClient, factory: Factory
) -> None:
    token = _csrf(client, "/register?lang=ru")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "full_name": "",
            "email": "new@example.com",
            "password": "short",
            "timezone": "Europe/Moscow",
        },
    )

    page = assert_page(response, "ru", 422)
    assert page.field_errors == {  # every problem on the first submit
        "full_name": "Это поле обязательно для заполнения.",
        "password": "Пароль должен содержать не менее 10 символов.",
        "consent_personal_data": "Необходимо согласие на обработку персональных данных.",
    }
    assert page.control("full_name").attrs["aria-invalid"] == "true"
    assert page.control("email").attrs["value"] == "new@example.com"
    assert page.control("password").attrs["value"] == ""
    assert factory.count(User) == 0


def test_register_form_shows_the_services_field_error(client: TestClient, factory: Factory) -> None:
    token = _csrf(client, "/register?lang=en")
    data = {
        "csrf_token": token,
        "full_name": "Anna Smirnova",
        "email": "anna@example.com",
        "password": "qwertyuiop",
        "timezone": "Asia/Novosibirsk",
        "consent_personal_data": "on",
    }
    page = assert_page(client.post("/register", data=data), "en", 422)
    assert page.field_errors == {"password": "This password is too common; choose another one."}
    assert "checked" in page.control("consent_personal_data").attrs

    page = assert_page(
        client.post(
            "/register",
            data={**data, "password": "a long enough passphrase", "consent_personal_data": ""},
        ),
        "en",
        422,
    )
    assert page.field_errors == {
        "consent_personal_data": "Consent to the processing of personal data is required."
    }
    assert "checked" not in page.control("consent_personal_data").attrs
    assert factory.count(User) == 0


def test_register_with_a_taken_email_rerenders_with_an_email_error(
    client: TestClient, factory: Factory
) -> None:
    existing = factory.user(email="taken@example.com")
    token = _csrf(client, "/register?lang=ru")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "full_name": "Кто-то другой",
            "email": existing.email,
            "password": "a long enough passphrase",
            "consent_personal_data": "on",
        },
    )
    page = assert_page(response, "ru", 409)
    assert page.field_errors == {
        "email": "Учётная запись с этим адресом электронной почты уже существует."
    }
    assert factory.count(User) == 1


def test_login_form_rerenders_with_field_and_form_errors(
    client: TestClient, factory: Factory
) -> None:
    user = factory.user()
    token = _csrf(client, "/login?lang=ru")

    page = assert_page(
        client.post("/login", data={"csrf_token": token, "email": "", "password": ""}), "ru", 422
    )
    assert page.field_errors == {
        "email": "Это поле обязательно для заполнения.",
        "password": "Это поле обязательно для заполнения.",
    }

    response = client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": "wrong password!"}
    )
    page = assert_page(response, "ru", 401)
    assert "Неверный адрес электронной почты или пароль." in page.shown_strings
    assert page.control("email").attrs["value"] == user.email


def test_organisation_form_rerenders_with_a_field_error_for_a_bad_inn(
    world: dict[str, object], factory: Factory
) -> None:
    owner = world["owner"]
    assert isinstance(owner, Actor) and owner.browser is not None
    before = factory.count(Organisation)
    token = _csrf(owner.browser, "/organisations/new?lang=ru")
    data = {
        "csrf_token": token,
        "name": "ООО Ромашка",
        "kind": "sme",
        "inn": "7701234567",
        "region": "Новосибирская область",
        "sector": "software",
    }

    page = assert_page(owner.browser.post("/organisations/new", data=data), "ru", 422)
    assert page.field_errors == {"inn": "Некорректный ИНН: проверьте цифры."}
    assert page.control("name").attrs["value"] == "ООО Ромашка"

    page = assert_page(
        owner.browser.post("/organisations/new", data={**data, "name": ""}), "ru", 422
    )
    assert page.field_errors["name"] == "Это поле обязательно для заполнения."
    assert factory.count(Organisation) == before


def test_organisation_edit_form_rerenders_with_field_errors(
    world: dict[str, object], factory: Factory
) -> None:
    owner, organisation = world["owner"], world["organisation"]
    assert isinstance(owner, Actor) and owner.browser is not None
    assert isinstance(organisation, Organisation)
    path = f"/organisations/{organisation.id}/edit"
    token = _csrf(owner.browser, path)
    response = owner.browser.post(
        path,
        data={
            "csrf_token": token,
            "name": "Renamed",
            "ogrn": "123",
            "region": "Новосибирская область",
            "sector": "software",
        },
    )
    page = assert_page(response, "ru", 422)
    assert page.field_errors == {"ogrn": "Некорректный ОГРН: проверьте цифры."}
    assert page.control("name").attrs["value"] == "Renamed"
    with factory.database.session_scope(write=False) as session:
        stored = session.get(Organisation, organisation.id)
        assert stored is not None and stored.name == organisation.name and stored.ogrn is None


@pytest.mark.parametrize(
    "typed", ["a@x>, <b@y", "anna@example.com, boris@example.com", "anna@example.com boris@x.ru"]
)
def test_invite_form_refuses_more_than_one_address_and_sends_nothing(
    world: dict[str, object], factory: Factory, typed: str
) -> None:
    owner, organisation = world["owner"], world["organisation"]
    assert isinstance(owner, Actor) and owner.browser is not None
    assert isinstance(organisation, Organisation)
    path = f"/organisations/{organisation.id}"
    token = _csrf(owner.browser, path)
    invitations, queued = factory.count(OrganisationInvitation), factory.count(OutboxMessage)

    response = owner.browser.post(f"{path}/invitations", data={"csrf_token": token, "email": typed})

    page = assert_page(response, "ru", 422)
    assert page.field_errors == {"email": "Введите корректный адрес электронной почты."}
    assert page.control("email").attrs["value"] == typed
    assert factory.count(OrganisationInvitation) == invitations
    assert factory.count(OutboxMessage) == queued


def test_invite_form_queues_one_mail_for_one_address(
    world: dict[str, object], factory: Factory
) -> None:
    owner, organisation = world["owner"], world["organisation"]
    assert isinstance(owner, Actor) and owner.browser is not None
    assert isinstance(organisation, Organisation)
    path = f"/organisations/{organisation.id}"
    response = owner.browser.post(
        f"{path}/invitations",
        data={"csrf_token": _csrf(owner.browser, path), "email": "Anna <Anna@Example.com>"},
    )
    assert (response.status_code, response.headers["location"]) == (303, path)
    with factory.database.session_scope(write=False) as session:
        invited = session.scalars(select(OrganisationInvitation.email)).all()
        mails = session.scalars(
            select(OutboxMessage.to_email).where(
                OutboxMessage.kind == "account.organisation_invitation"
            )
        ).all()
    assert (invited, mails) == (["anna@example.com"], ["anna@example.com"])


# --- Language switch --------------------------------------------------------------------------


def test_language_switch_persists_the_signed_in_users_locale(factory: Factory) -> None:
    actor = factory.actor(browser=True, locale="ru")
    assert actor.browser is not None
    token = _csrf(actor.browser, "/account")

    response = actor.browser.post(
        "/language", data={"csrf_token": token, "locale": "en", "next": "/account"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(User.locale).where(User.id == actor.id)).one() == "en"
    assert_page(actor.browser.get("/account"), "en")
    # A new session of the same user, without any cookie, still speaks English.
    fresh = factory.browser_client(actor.user)
    assert_page(fresh.get("/account"), "en")


def test_language_switch_for_a_visitor_is_remembered_in_a_cookie(app) -> None:
    with TestClient(app, follow_redirects=False) as visitor:
        token = _csrf(visitor, "/login")
        response = visitor.post(
            "/language", data={"csrf_token": token, "locale": "en", "next": "/login"}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert_page(visitor.get("/login"), "en")


def test_language_switch_refuses_unknown_locales_and_foreign_redirects(factory: Factory) -> None:
    actor = factory.actor(browser=True, locale="ru")
    assert actor.browser is not None
    token = _csrf(actor.browser, "/account")

    response = actor.browser.post(
        "/language", data={"csrf_token": token, "locale": "de", "next": "//evil.example/"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(User.locale).where(User.id == actor.id)).one() == "ru"


def test_language_switch_without_csrf_is_refused(factory: Factory) -> None:
    actor = factory.actor(browser=True, locale="ru")
    assert actor.browser is not None
    response = actor.browser.post("/language", data={"locale": "en", "next": "/"})
    assert response.status_code == 403
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(User.locale).where(User.id == actor.id)).one() == "ru"


# --- Times in the user's zone and locale ------------------------------------------------------

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "locale", "expected"),
    [
        ("Europe/Moscow", "ru", "01.03.2026, 12:30"),
        ("Asia/Novosibirsk", "ru", "01.03.2026, 16:30"),
        ("Asia/Novosibirsk", "en", "1 Mar 2026, 4:30 PM"),
    ],
)
def test_token_creation_time_is_shown_in_the_users_zone_and_locale(
    factory: Factory, timezone: str, locale: str, expected: str
) -> None:
    actor = factory.actor(browser=True, locale=locale, timezone=timezone)
    assert actor.browser is not None
    with factory.database.session_scope() as session:
        session.execute(
            update(ApiToken).where(ApiToken.user_id == actor.id).values(created_at=CREATED)
        )

    page = assert_page(actor.browser.get("/account"), locale)

    [table] = page.tables
    header, *rows = table
    created = [row[header.index("Создан" if locale == "ru" else "Created")] for row in rows]
    assert created == [expected]


def test_edit_form_of_a_visible_organisation_is_refused_to_a_non_owner(factory: Factory) -> None:
    owner = factory.user()
    investor = factory.organisation(owner, kind=OrganisationKind.investor, verified=True)
    outsider = factory.actor(browser=True, locale="en")
    assert outsider.browser is not None

    assert outsider.browser.get(f"/organisations/{investor.id}").status_code == 200
    page = assert_page(outsider.browser.get(f"/organisations/{investor.id}/edit"), "en", 403)
    assert "Only the owner or cluster staff may edit this organisation." in page.shown_strings
    assert page.controls == [c for c in page.controls if c.is_hidden]


def test_language_switch_from_a_page_opened_with_lang_drops_the_old_parameter(app) -> None:
    with TestClient(app, follow_redirects=False) as visitor:
        token = csrf_from(visitor.get("/login?lang=en").text)
        response = visitor.post(
            "/language",
            data={"csrf_token": token, "locale": "ru", "next": "/login?lang=en&next=%2Fa%3Fb%3D1"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fa%3Fb%3D1"
        assert_page(visitor.get(response.headers["location"]), "ru")


def _log_in(client: TestClient, email: str) -> None:
    token = _csrf(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text


def _account_locale(factory: Factory, user_id: int) -> tuple[str, bool]:
    with factory.database.session_scope(write=False) as session:
        row = session.execute(
            select(User.locale, User.locale_chosen).where(User.id == user_id)
        ).one()
    return row.locale, row.locale_chosen


def test_an_english_visitor_stays_in_english_after_logging_in(factory: Factory, app) -> None:
    user = factory.user(locale="ru")  # registered in Russian
    with TestClient(app, follow_redirects=False) as visitor:
        token = _csrf(visitor, "/login")
        visitor.post("/language", data={"csrf_token": token, "locale": "en", "next": "/login"})
        _log_in(visitor, user.email)
        assert_page(visitor.get("/account"), "en")
    assert _account_locale(factory, user.id) == ("en", True)


def test_an_account_nobody_chose_a_language_for_takes_the_visitors_at_first_login(
    factory: Factory, app
) -> None:
    user = factory.user(locale="ru")
    with factory.database.session_scope() as session:
        session.execute(update(User).where(User.id == user.id).values(locale_chosen=False))
    with TestClient(app, follow_redirects=False) as visitor:
        visitor.headers["Accept-Language"] = "en-GB,en;q=0.9"
        _log_in(visitor, user.email)
        assert_page(visitor.get("/account"), "en")
    assert _account_locale(factory, user.id) == ("en", True)
    # Once chosen, a browser merely preferring another language changes nothing.
    with TestClient(app, follow_redirects=False) as other:
        other.headers["Accept-Language"] = "ru-RU"
        _log_in(other, user.email)
        assert_page(other.get("/account"), "en")
    assert _account_locale(factory, user.id) == ("en", True)
