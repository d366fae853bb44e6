"""Library pages in the browser: browse, item with related items, staff edit and history."""

from __future__ import annotations

from app.accounts.models import Role
from app.library import search, service
from tests.factories import make_member
from tests.html import Page, csrf_from
from tests.library.helpers import create_item


def headings(html: str) -> list[str]:
    return [element.text for element in Page(html).find_all() if element.tag in ("h1", "h3")]


def test_browse_search_and_item_page_with_related(factory, client) -> None:
    staff = factory.actor(Role.staff)
    first = create_item(
        staff.api, title="Гранты для стартапов", tags=["гранты"], category="financing"
    )
    create_item(staff.api, title="Гранты ФСИ", tags=["гранты"], category="financing")
    create_item(staff.api, title="Закрытая заметка", tags=["гранты"], visibility="members")
    page = client.get("/library", params={"q": "грант"})
    assert page.status_code == 200
    assert sorted(headings(page.text)[1:]) == ["Гранты ФСИ", "Гранты для стартапов"]
    item = client.get(f"/library/{first['id']}")
    assert item.status_code == 200
    assert "Гранты ФСИ" in item.text
    assert "Закрытая заметка" not in item.text
    assert client.get("/library", params={"q": '"', "category": "x"}).status_code == 200


def test_staff_edits_in_the_browser_and_restores_from_history(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    browser = staff.browser
    form = browser.get("/library/new")
    assert form.status_code == 200
    token = csrf_from(form.text)
    data = {
        "csrf_token": token, "title": "", "language": "ru", "category": "other",
        "visibility": "public", "tags": "a, b",
    }  # fmt: skip
    assert browser.post("/library/new", data=data).status_code == 422
    data["title"] = "Первая редакция"
    created = browser.post("/library/new", data=data)
    assert created.status_code == 303
    url = created.headers["location"]
    data["title"] = "Вторая редакция"
    assert browser.post(f"{url}/edit", data=data).status_code == 303
    history = browser.get(f"{url}/history")
    assert "Первая редакция" in history.text
    restored = browser.post(f"{url}/versions/1/restore", data={"csrf_token": token})
    assert restored.status_code == 303
    assert headings(browser.get(url).text)[0] == "Первая редакция"
    assert factory.actor(browser=True).browser.get(f"{url}/edit").status_code == 403


def test_a_capped_search_says_there_are_more(factory, client, monkeypatch) -> None:
    staff = factory.actor(Role.staff)
    for n in range(3):
        create_item(staff.api, title=f"Грант {n}")
    monkeypatch.setattr(search, "RANK_CAP", 2)
    page = client.get("/library", params={"q": "грант"})
    assert "Найдено: 2+" in page.text
    monkeypatch.setattr(search, "RANK_CAP", 4)
    page = client.get("/library", params={"q": "грант"})
    assert "Найдено: 3<" in page.text


def test_browsing_counts_up_to_the_cap_and_still_pages_past_it(
    factory, client, monkeypatch
) -> None:
    staff = factory.actor(Role.staff)
    for n in range(4):
        create_item(staff.api, title=f"Обзор {n}")
    monkeypatch.setattr(service, "COUNT_CAP", 3)
    assert "Найдено: 3+" in client.get("/library").text
    assert client.get("/api/v1/library?limit=2").json()["total"] == 3
    beyond = client.get("/api/v1/library?limit=2&offset=3").json()
    assert [item["title"] for item in beyond["items"]] == ["Обзор 0"]
    monkeypatch.setattr(service, "COUNT_CAP", 5)
    assert "Найдено: 4<" in client.get("/library").text


def _related_titles(html: str) -> list[str]:
    """The link texts of the "Related items" section."""
    return [link.text for link in Page(html).find_all("section")[0].links()]


def test_related_items_share_tags_first_then_the_newest_of_the_category(factory, client) -> None:
    api = factory.actor(Role.staff).api
    item = create_item(api, title="Основная", tags=["гранты", "фси"], category="financing")
    create_item(api, title="Два общих тега", tags=["гранты", "фси"], category="other")
    create_item(api, title="Скрытая, два тега", tags=["гранты", "фси"], visibility="members")
    create_item(api, title="Один общий тег", tags=["фси"], category="technology")
    for n in range(5):
        create_item(api, title=f"Финансы {n}", category="financing")
    create_item(api, title="Чужая категория", category="other")
    page = client.get(f"/library/{item['id']}")
    assert _related_titles(page.text) == [
        "Два общих тега",
        "Один общий тег",
        "Финансы 4",
        "Финансы 3",
        "Финансы 2",
    ]


def _tag_cloud(html: str) -> list[str]:
    return [link.text for link in Page(html).find("ul", class_="library-tags").links()]


def test_the_tag_cloud_counts_only_items_the_visitor_may_see(factory, client) -> None:
    staff = factory.actor(Role.staff, browser=True)
    create_item(staff.api, title="Первая", tags=["гранты", "налоги"])
    create_item(staff.api, title="Вторая", tags=["налоги"])
    for n in range(3):
        create_item(staff.api, title=f"Закрытая {n}", tags=["секреты"], visibility="members")
    assert _tag_cloud(client.get("/library").text) == ["налоги", "гранты"]
    assert _tag_cloud(staff.browser.get("/library").text) == ["секреты", "налоги", "гранты"]


def test_a_public_item_superseded_by_a_members_item_shows_without_the_link(factory, client) -> None:
    staff = factory.actor(Role.staff)
    newer = create_item(
        staff.api, title="Порядок 2026 года", category="regulation", visibility="members"
    )
    older = create_item(
        staff.api, title="Порядок 2024 года", category="regulation", superseded_by=newer["id"]
    )
    member = factory.actor()
    make_member(factory.database, factory.organisation(member.user))
    link = f'href="/library/{newer["id"]}"'

    for api in (client, factory.actor().api):
        page = api.get(f"/library/{older['id']}?lang=en")
        assert page.status_code == 200
        assert "Порядок 2024 года (in Russian)" in headings(page.text)
        assert link not in page.text and "Superseded by" not in page.text
        assert api.get(f"/api/v1/library/{older['id']}").json()["superseded_by"] is None

    page = member.api.get(f"/library/{older['id']}?lang=en")
    assert page.status_code == 200
    assert link in page.text and "Superseded by" in page.text
    assert member.api.get(f"/api/v1/library/{older['id']}").json()["superseded_by"] == newer["id"]
