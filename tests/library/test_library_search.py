"""Search finds Russian and English word forms, filters, and survives hostile input."""

from __future__ import annotations

from sqlalchemy import delete, text

from app.accounts.models import Role
from app.library import search
from app.library.models import LibraryItem
from app.library.search import fts5_match, parse_query, snippet_from
from tests.library.helpers import create_item, search_titles


def _corpus(api) -> None:
    create_item(
        api,
        title="Налоговые льготы для ИТ-компаний",
        body="Пониженные страховые взносы и ставка налога на прибыль.",
        tags=["налоги", "ит"],
        category="regulation",
    )
    create_item(
        api,
        title="Licensing requirements for software exporters",
        body="Which activities need a licence and how to apply.",
        language="en",
        tags=["export"],
        category="regulation",
    )
    create_item(
        api,
        title="Венчурное финансирование стартапов",
        body="Посевные инвестиции и гранты Фонда содействия инновациям.",
        tags=["инвестиции"],
        category="financing",
    )
    create_item(
        api,
        title="Cloud computing market overview",
        body="The market for cloud services grew by a third; ёлочные игрушки not included.",
        language="en",
        tags=["cloud", "налоги"],
        category="it_industry",
    )


def test_russian_word_forms_are_found(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    assert search_titles(client, "налоговая льгота") == ["Налоговые льготы для ИТ-компаний"]
    assert search_titles(client, "инвестиция") == ["Венчурное финансирование стартапов"]
    assert search_titles(client, "ёлочная игрушка") == ["Cloud computing market overview"]
    assert search_titles(client, "елочная") == ["Cloud computing market overview"]


def test_english_word_forms_are_found(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    assert search_titles(client, "license requirement") == [
        "Licensing requirements for software exporters"
    ]
    assert search_titles(client, "the clouds") == ["Cloud computing market overview"]


def test_title_outranks_body_and_tags(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    # "налоги" is in the title (stemmed) of one item and only a tag of another.
    assert search_titles(client, "налог") == [
        "Налоговые льготы для ИТ-компаний",
        "Cloud computing market overview",
    ]


def test_websearch_operators(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    assert sorted(search_titles(client, "инвестиции or cloud")) == [
        "Cloud computing market overview",
        "Венчурное финансирование стартапов",
    ]
    assert search_titles(client, "налог -cloud") == ["Налоговые льготы для ИТ-компаний"]
    assert search_titles(client, '"налоговые льготы"') == ["Налоговые льготы для ИТ-компаний"]
    assert search_titles(client, '"льготы налоговые"') == []
    assert search_titles(client, "ИТ-компании") == ["Налоговые льготы для ИТ-компаний"]


def test_filters_combine_with_search(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    assert search_titles(client, "налог", language="en") == ["Cloud computing market overview"]
    assert search_titles(client, "налог", category="regulation") == [
        "Налоговые льготы для ИТ-компаний"
    ]
    assert search_titles(client, "", tag="export") == [
        "Licensing requirements for software exporters"
    ]
    newest_first = client.get("/api/v1/library").json()
    assert newest_first["total"] == 4
    assert newest_first["items"][0]["title"] == "Cloud computing market overview"
    assert client.get("/api/v1/library", params={"category": "nope"}).status_code == 422
    assert client.get("/api/v1/library", params={"language": "de"}).status_code == 422


def test_hostile_queries_never_fail(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    hostile = [
        '"',
        '""',
        "'",
        "a'b",
        '"unterminated',
        "*",
        "NEAR(a b)",
        "title:x",
        "^",
        "-",
        "--",
        "or",
        "OR OR",
        "-налог",
        "AND",
        "NOT",
        "!",
        "&&",
        "|",
        "(",
        ")",
        ":*",
        "\\",
        "%",
        "_",
        "';DROP TABLE library_items;--",
        "<script>alert(1)</script>",
        "😀",
        "\u202e",
        "налог" * 2000,
        "x " * 5000,
        "the and of",
        "для и в",
    ]
    for q in hostile:
        response = client.get("/api/v1/library", params={"q": q})
        assert response.status_code == 200, q
        for item in response.json()["items"]:
            assert "<script>" not in item["snippet"]
    assert client.get("/api/v1/library", params={"q": "a\x00b"}).status_code == 422
    assert client.get("/api/v1/library", params={"q": "x" * 10_001}).status_code == 422
    assert client.get("/api/v1/library", params={"q": "-налог"}).json()["total"] == 0


def test_query_parsing_quotes_every_term() -> None:
    parsed = parse_query('налоговая "ИТ компании" or cloud -"NEAR" x*')
    assert fts5_match(parsed) == (
        '(("налогов") AND ("ит компан" OR "cloud") AND ("x")) NOT ("near")'
    )


def test_a_common_word_ranks_only_the_newest_matches(factory, client, monkeypatch) -> None:
    api = factory.actor(Role.staff).api
    create_item(api, title="Налог на прибыль", body="налог")  # the best match, but the oldest
    for n in range(3):
        create_item(api, title=f"Заметка {n}", body=f"Про налоги, выпуск {n}.")
    monkeypatch.setattr(search, "RANK_CAP", 3)
    found = client.get("/api/v1/library", params={"q": "налог"}).json()
    assert [i["title"] for i in found["items"]] == ["Заметка 2", "Заметка 1", "Заметка 0"]
    assert found["total"] == 3
    monkeypatch.setattr(search, "RANK_CAP", 4)
    assert search_titles(client, "налог")[0] == "Налог на прибыль"


def test_matches_older_than_the_newest_items_are_still_found(factory, client, monkeypatch) -> None:
    api = factory.actor(Role.staff).api
    create_item(api, title="Налог давний", body="налог")
    for n in range(3):
        create_item(api, title=f"Заметка {n}", body="Без ключевого слова.")
    create_item(api, title="Налог свежий", body="налог")
    monkeypatch.setattr(search, "RECENT_WINDOW", 2)  # PostgreSQL looks at the 2 newest first
    monkeypatch.setattr(search, "RANK_CAP", 5)
    found = client.get("/api/v1/library", params={"q": "налог"}).json()
    assert sorted(i["title"] for i in found["items"]) == ["Налог давний", "Налог свежий"]
    assert found["total"] == 2
    monkeypatch.setattr(search, "RANK_CAP", 1)
    found = client.get("/api/v1/library", params={"q": "налог"}).json()
    assert ([i["title"] for i in found["items"]], found["total"]) == (["Налог свежий"], 1)


def test_the_cap_counts_only_items_the_caller_may_see(factory, client, monkeypatch) -> None:
    api = factory.actor(Role.staff).api
    create_item(api, title="Открытый налог 1", body="налог")
    create_item(api, title="Открытый налог 2", body="налог")
    create_item(api, title="Налог для членов", body="налог", visibility="members")
    monkeypatch.setattr(search, "RANK_CAP", 2)
    found = client.get("/api/v1/library", params={"q": "налог"}).json()
    assert sorted(i["title"] for i in found["items"]) == ["Открытый налог 1", "Открытый налог 2"]
    assert found["total"] == 2


def test_a_page_past_the_matches_still_tells_the_total(factory, client) -> None:
    _corpus(factory.actor(Role.staff).api)
    found = client.get("/api/v1/library", params={"q": "налог", "offset": 5}).json()
    assert found == {"items": [], "total": 2}
    second = client.get("/api/v1/library", params={"q": "налог", "limit": 1, "offset": 1}).json()
    assert [i["title"] for i in second["items"]] == ["Cloud computing market overview"]
    assert second["total"] == 2


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = " ".join(f"w{n}" for n in range(50)) + " (Налоговые) льготы <b>и</b> " + "x " * 40
    snippet = str(snippet_from(text, {"налогов", "льгот"}))
    words_shown = snippet.split()
    assert words_shown[:2] == ["…", "w40"]
    assert "<mark>(Налоговые)</mark> <mark>льготы</mark> &lt;b&gt;и&lt;/b&gt;" in snippet
    assert words_shown[-1] == "…"
    assert len(words_shown) == 2 + 30
    assert str(snippet_from("нет совпадений", {"налогов"})) == "нет совпадений"
    assert str(snippet_from("", {"налогов"})) == ""


def test_the_cap_counts_matches_not_items(factory, client, monkeypatch) -> None:
    api = factory.actor(Role.staff).api
    create_item(api, title="Старый налог")
    for n in range(12):
        create_item(api, title=f"Новость {n}")
    monkeypatch.setattr(search, "RANK_CAP", 1)
    assert client.get("/api/v1/library", params={"q": "налог"}).json()["total"] == 1
    assert search_titles(client, "налог") == ["Старый налог"]


def test_same_query_with_other_filters_and_callers_gets_its_own_results(factory, client) -> None:
    # Search statements are built once per shape; values must never carry over.
    staff = factory.actor(Role.staff)
    _corpus(staff.api)
    create_item(staff.api, title="Налоги для членов", visibility="members", category="regulation")
    for category, expected in (
        ("regulation", ["Налоговые льготы для ИТ-компаний"]),
        ("it_industry", ["Cloud computing market overview"]),
        ("financing", []),
    ):
        assert search_titles(client, "налог", category=category) == expected
    found_by_staff = staff.api.get("/api/v1/library", params={"q": "налог"}).json()
    assert found_by_staff["total"] == 3
    assert client.get("/api/v1/library", params={"q": "налог"}).json()["total"] == 2
    assert search_titles(client, "облако") == []
    assert search_titles(client, "cloud") == ["Cloud computing market overview"]
    assert search_titles(client, "cloud -налог") == []


def test_a_deleted_item_leaves_the_full_text_index(factory, db) -> None:
    """No page deletes items, but a row removed by hand or by a restore must not stay indexed."""
    created = create_item(factory.actor(Role.staff).api, title="Уходящий документ")
    with db.session_scope() as session:
        session.execute(delete(LibraryItem).where(LibraryItem.id == created["id"]))
    if db.is_sqlite:
        with db.engine.connect() as connection:
            indexed = connection.scalar(text("SELECT count(*) FROM library_fts"))
        assert indexed == 0
    assert search_titles(factory.client(), "уходящий") == []
