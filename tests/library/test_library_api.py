"""Library items over the API: creation rules, visibility, versions, uploads and the feed."""

from __future__ import annotations

from xml.etree import ElementTree

from app.accounts.models import Role
from app.library.models import LibraryItem, LibraryItemVersion
from tests.factories import make_member
from tests.library.helpers import create_item, item_payload, search_titles, tiny_pdf


def test_staff_creates_an_article_rendered_and_sanitised(factory) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(
        staff.api,
        title="Гранты 2026",
        body="# Заголовок\n\n**Важно** <script>alert(1)</script> [x](javascript:alert(1))",
        tags=["Гранты", " гранты ", "ФСИ"],
        category="financing",
    )
    assert item["version"] == 1
    assert item["kind"] == "article"
    assert item["tags"] == ["гранты", "фси"]
    assert "<strong>Важно</strong>" in item["body_html"]
    assert "<script" not in item["body_html"]
    assert 'href="javascript' not in item["body_html"]
    fetched = factory.actor().api.get(f"/api/v1/library/{item['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["title"] == "Гранты 2026"


def test_non_staff_cannot_create(factory) -> None:
    response = factory.actor().api.post("/api/v1/library", json=item_payload())
    assert response.status_code == 403
    assert factory.count(LibraryItem) == 0


def test_bad_input_is_422(factory) -> None:
    staff = factory.actor(Role.staff)
    cases = [
        item_payload(title=""),
        item_payload(title="   "),
        item_payload(category="gossip"),
        item_payload(language="de"),
        item_payload(visibility="secret"),
        item_payload(title="x\x00y"),
        item_payload(effective_from="2026-01-01"),  # not a regulation
        item_payload(category="regulation", effective_from="2026-02-01", effective_to="2026-01-01"),
        item_payload(category="regulation", superseded_by=999999),
        item_payload(tags=["x" * 51]),
        item_payload(unknown=1),
    ]
    for payload in cases:
        response = staff.api.post("/api/v1/library", json=payload)
        assert response.status_code == 422, payload
    assert search_titles(staff.api, "") == []


def test_regulation_keeps_dates_and_successor(factory) -> None:
    staff = factory.actor(Role.staff)
    new = create_item(staff.api, title="Новый порядок", category="regulation")
    old = create_item(
        staff.api,
        title="Старый порядок",
        category="regulation",
        effective_from="2024-01-01",
        effective_to="2025-12-31",
        superseded_by=new["id"],
    )
    assert (old["effective_from"], old["effective_to"], old["superseded_by"]) == (
        "2024-01-01",
        "2025-12-31",
        new["id"],
    )


def test_members_items_hidden_from_anonymous_and_non_members(factory, client) -> None:
    staff = factory.actor(Role.staff)
    public = create_item(staff.api, title="Открытый обзор рынка", body="рынок облачных услуг")
    hidden = create_item(
        staff.api, title="Закрытый обзор рынка", body="рынок облачных услуг", visibility="members"
    )
    outsider = factory.actor()
    member = factory.actor()
    make_member(factory.database, factory.organisation(member.user))

    for api in (client, outsider.api):
        listing = api.get("/api/v1/library").json()
        assert [i["id"] for i in listing["items"]] == [public["id"]]
        assert listing["total"] == 1
        found = api.get("/api/v1/library", params={"q": "обзор рынка"}).json()
        assert [i["id"] for i in found["items"]] == [public["id"]]
        assert "Закрытый" not in str(found)
        assert api.get(f"/api/v1/library/{hidden['id']}").status_code == 404
        assert api.get(f"/library/{hidden['id']}").status_code == 404

    for api in (member.api, staff.api):
        found = api.get("/api/v1/library", params={"q": "обзор рынка"}).json()
        assert sorted(i["id"] for i in found["items"]) == sorted([public["id"], hidden["id"]])
        assert api.get(f"/api/v1/library/{hidden['id']}").status_code == 200

    feed = client.get("/library/feed.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)] == [
        "Открытый обзор рынка"
    ]


def test_edit_keeps_previous_version_and_restore_brings_it_back(factory) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(staff.api, title="Льготы 2025", body="старый текст", tags=["налоги"])
    edited = staff.api.put(
        f"/api/v1/library/{item['id']}",
        json=item_payload(title="Льготы 2026", body="новый текст", tags=["налоги", "ит"]),
    )
    assert edited.status_code == 200
    assert (edited.json()["version"], edited.json()["title"]) == (2, "Льготы 2026")
    assert search_titles(staff.api, "старый") == []

    history = staff.api.get(f"/api/v1/library/{item['id']}/versions").json()
    assert [(v["version"], v["title"], v["current"]) for v in history["items"]] == [
        (2, "Льготы 2026", True),
        (1, "Льготы 2025", False),
    ]
    restored = staff.api.post(f"/api/v1/library/{item['id']}/versions/1/restore")
    assert restored.status_code == 200
    body = restored.json()
    assert (body["version"], body["title"], body["body"], body["tags"]) == (
        3,
        "Льготы 2025",
        "старый текст",
        ["налоги"],
    )
    assert search_titles(staff.api, "старый") == ["Льготы 2025"]
    assert search_titles(staff.api, "новый") == []
    assert factory.count(LibraryItemVersion) == 3
    assert staff.api.post(f"/api/v1/library/{item['id']}/versions/9/restore").status_code == 404
    assert factory.actor().api.get(f"/api/v1/library/{item['id']}/versions").status_code == 403


def test_put_on_missing_item_is_404_and_empty_title_422(factory) -> None:
    staff = factory.actor(Role.staff)
    assert staff.api.put("/api/v1/library/12345", json=item_payload()).status_code == 404
    assert factory.count(LibraryItem) == 0
    item = create_item(staff.api)
    refused = staff.api.put(f"/api/v1/library/{item['id']}", json=item_payload(title=""))
    assert refused.status_code == 422
    kept = staff.api.get(f"/api/v1/library/{item['id']}").json()
    assert (kept["title"], kept["version"]) == (item["title"], 1)
    assert factory.count(LibraryItemVersion) == 1


def test_uploaded_pdf_text_is_searchable_and_downloadable(factory, client) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(staff.api, title="Приложение к положению", language="en")
    pdf = tiny_pdf("Quantum photonics subsidy for regional startups")
    response = staff.api.post(
        f"/api/v1/library/{item['id']}/file",
        files={"file": ("subsidy.pdf", pdf, "application/pdf")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "document"
    assert response.json()["file"]["name"] == "subsidy.pdf"
    found = client.get("/api/v1/library", params={"q": "photonic subsidies"}).json()
    assert [i["title"] for i in found["items"]] == ["Приложение к положению"]
    assert "<mark>" in found["items"][0]["snippet"]
    download = client.get(f"/library/{item['id']}/file")
    assert download.status_code == 200
    assert download.content == pdf


def test_upload_refuses_wrong_type_and_oversized_files(factory) -> None:
    staff = factory.actor(Role.staff)
    item = create_item(staff.api)
    url = f"/api/v1/library/{item['id']}/file"
    fake = staff.api.post(url, files={"file": ("x.pdf", b"MZ\x90\x00binary", "application/pdf")})
    assert fake.status_code == 415
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    assert (
        staff.api.post(url, files={"file": ("big.pdf", big, "application/pdf")}).status_code == 413
    )
    empty = staff.api.post(url, files={"file": ("e.txt", b"", "text/plain")})
    assert empty.status_code == 422
    broken = staff.api.post(url, files={"file": ("b.pdf", b"%PDF-1.4 garbage", "application/pdf")})
    assert broken.status_code == 422
    assert (
        factory.actor().api.post(url, files={"file": ("a.txt", b"hi", "text/plain")}).status_code
        == 403
    )
    assert staff.api.get(f"/api/v1/library/{item['id']}").json()["file"] is None
