"""Library rules: staff write items; every edit is a new version; members-only items are hidden
from everyone who is neither staff nor a member; documents are searchable by their text."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Integer, func, literal, select, union_all
from sqlalchemy.orm import Session, defer, raiseload, undefer

from app import audit
from app.accounts.models import User
from app.bilingual import localized
from app.config import get_settings
from app.db import utcnow
from app.errors import FieldError, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType
from app.i18n import gettext
from app.library import content, policies, search
from app.library.models import (
    ItemKind,
    Language,
    LibraryItem,
    LibraryItemVersion,
    LibraryTag,
    Visibility,
)
from app.library.schemas import ItemIn
from app.pagination import Paging
from app.uploads import too_large_message

VERSIONED_FIELDS = (
    "title",
    "summary",
    "body",
    "language",
    "category",
    "tags",
    "visibility",
    "effective_from",
    "effective_to",
    "superseded_by",
)


# The tag cloud counts every tag of every visible item: a scan that grows with the library
# (over a second for 50k items on SQLite). It is kept for a while in each process and dropped
# here whenever an item changes.
POPULAR_TAGS_SECONDS = 300.0
RELATED_PER_TAG = 50
COUNT_CAP = 10_000
_popular_cache: dict[bool, tuple[float, list[str]]] = {}


def _index(session: Session, item: LibraryItem) -> None:
    search.index_item(session, item)
    _popular_cache.clear()


def popular_tags(session: Session, user: User | None, limit: int = 30) -> list[str]:
    """The most used tags among the items the user may see, most used first."""
    conditions = policies.visibility_conditions(session, user)
    key = not conditions  # True: members' items are visible too
    cached = _popular_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < POPULAR_TAGS_SECONDS:
        return cached[1]
    statement = select(LibraryTag.tag, func.count().label("n"))
    if conditions:
        # The visible ids as a list, which SQLite reads from the covering visibility index;
        # joined, it may fetch every tag row's item from the table (1.2 s, not 50 ms, at 50k).
        visible = select(LibraryItem.id).where(*conditions)
        statement = statement.where(LibraryTag.item_id.in_(visible))
    rows = session.execute(
        statement.group_by(LibraryTag.tag)
        .order_by(func.count().desc(), LibraryTag.tag)
        .limit(limit)
    )
    tags = [row[0] for row in rows]
    _popular_cache[key] = (time.monotonic(), tags)
    return tags


def _require_staff(actor: User) -> None:
    if not policies.can_edit(actor):
        raise Forbidden(gettext("You do not have permission to do this."))


def _snapshot(item: LibraryItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "language": str(item.language),
        "translations": item.translations or {},
        "category": item.category,
        "tags": item.tags,
        "visibility": str(item.visibility),
        "effective_from": item.effective_from.isoformat() if item.effective_from else None,
        "effective_to": item.effective_to.isoformat() if item.effective_to else None,
        "superseded_by": item.superseded_by_id,
    }


def _check_superseded_by(session: Session, item_id: int | None, target: int | None) -> None:
    if target is None:
        return
    if target == item_id or session.get(LibraryItem, target) is None:
        raise FieldError("superseded_by", gettext("Choose another existing item."))


def _refresh_search_columns(item: LibraryItem) -> None:
    item.search_tags = " ".join(item.tags)
    # The title is indexed from its own column; its translations are searched with the text, so
    # that a reader of either language finds the item.
    translated = item.translations or {}
    parts = [
        item.summary,
        content.markdown_text(item.body),
        *(texts.get("title", "") for texts in translated.values()),
        *(texts.get("summary", "") for texts in translated.values()),
        *(content.markdown_text(texts.get("body", "")) for texts in translated.values()),
        item.attachment_text or "",
    ]
    item.search_text = "\n".join(part for part in parts if part)


def _apply(session: Session, item: LibraryItem, values: dict[str, Any]) -> None:
    item.title = values["title"]
    item.summary = values.get("summary") or ""
    item.body = values.get("body") or ""
    item.language = Language(values["language"])
    if values.get("translations") is not None:
        item.translations = dict(values["translations"])
    item.category = values["category"]
    item.visibility = Visibility(values["visibility"])
    item.effective_from = _as_date(values.get("effective_from"))
    item.effective_to = _as_date(values.get("effective_to"))
    target = values.get("superseded_by")
    if target is not None and session.get(LibraryItem, target) is None:
        target = None  # the newer item was deleted since this version was written
    item.superseded_by_id = target
    wanted = list(dict.fromkeys(values.get("tags") or []))
    existing = {row.tag: row for row in item.tag_rows}
    item.tag_rows = [existing.get(tag) or LibraryTag(tag=tag) for tag in wanted]
    item.updated_at = utcnow()


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _new_version(session: Session, item: LibraryItem, actor: User, note: str = "") -> None:
    session.add(
        LibraryItemVersion(
            item_id=item.id,
            version=item.version,
            content=_snapshot(item),
            created_by_id=actor.id,
            note=note,
        )
    )
    session.flush()


def create_item(session: Session, *, actor: User, data: ItemIn) -> LibraryItem:
    """Staff only. The item starts at version 1 and is indexed in the same transaction."""
    _require_staff(actor)
    _check_superseded_by(session, None, data.superseded_by)
    item = LibraryItem(created_by_id=actor.id, version=1, attachment_text="")
    _apply(session, item, data.model_dump())
    _refresh_search_columns(item)
    session.add(item)
    session.flush()
    _new_version(session, item, actor)
    _index(session, item)
    audit.record(
        session, actor_id=actor.id, action="library.create", entity_type="library_item",
        entity_id=item.id, data={"title": item.title, "visibility": str(item.visibility)},
    )  # fmt: skip
    return item


def _get_for_update(session: Session, item_id: int) -> LibraryItem:
    item = session.get(LibraryItem, item_id, options=[undefer(LibraryItem.attachment_text)])
    if item is None:
        raise NotFound(gettext("Item not found."))
    return item


def update_item(session: Session, *, actor: User, item_id: int, data: ItemIn) -> LibraryItem:
    """Staff only. The previous content stays in the history; the edit becomes a new version."""
    _require_staff(actor)
    item = _get_for_update(session, item_id)
    _check_superseded_by(session, item.id, data.superseded_by)
    before = _snapshot(item)
    _apply(session, item, data.model_dump())
    if _snapshot(item) == before:
        return item
    item.version += 1
    _refresh_search_columns(item)
    _new_version(session, item, actor)
    _index(session, item)
    audit.record(
        session, actor_id=actor.id, action="library.update", entity_type="library_item",
        entity_id=item.id, data={"version": item.version},
    )  # fmt: skip
    return item


def restore_version(session: Session, *, actor: User, item_id: int, version: int) -> LibraryItem:
    """Staff only. Restoring writes the old content as a new version; nothing is lost."""
    _require_staff(actor)
    item = _get_for_update(session, item_id)
    old = session.scalar(
        select(LibraryItemVersion).where(
            LibraryItemVersion.item_id == item.id, LibraryItemVersion.version == version
        )
    )
    if old is None:
        raise NotFound(gettext("Version not found."))
    _apply(session, item, old.content)
    item.version += 1
    _refresh_search_columns(item)
    _new_version(session, item, actor, note=f"restored:{version}")
    _index(session, item)
    audit.record(
        session, actor_id=actor.id, action="library.restore", entity_type="library_item",
        entity_id=item.id, data={"restored": version, "version": item.version},
    )  # fmt: skip
    return item


def attach_file(
    session: Session, *, actor: User, item_id: int, filename: str, data: bytes
) -> LibraryItem:
    """Staff only. PDF, DOCX, ODT or UTF-8 text up to the upload limit; its text is indexed."""
    _require_staff(actor)
    item = _get_for_update(session, item_id)
    if len(data) > get_settings().max_upload_bytes:
        raise PayloadTooLarge(too_large_message())
    if not data:
        raise FieldError("file", gettext("The file is empty."))
    content_type = content.sniff(data, filename)
    if content_type is None:
        raise UnsupportedMediaType(gettext("Upload a PDF, DOCX, ODT or plain text file."))
    try:
        extracted = content.extract_text(data, content_type)
    except content.UnreadableDocument as exc:
        raise FieldError("file", gettext("The file could not be read.")) from exc
    # Only the last component of a client's path (either separator), never a leading dot.
    basename = re.split(r"[/\\]", filename)[-1]
    safe_name = "".join(ch for ch in basename if ch.isprintable() and ch != '"').lstrip(" .")[-200:]
    item.file_name = safe_name or "document" + content.SUPPORTED_TYPES[content_type]
    item.file_type = content_type
    item.file_size = len(data)
    item.file_data = data
    item.attachment_text = extracted
    item.kind = ItemKind.document
    item.updated_at = utcnow()
    _refresh_search_columns(item)
    _index(session, item)
    audit.record(
        session, actor_id=actor.id, action="library.attach", entity_type="library_item",
        entity_id=item.id, data={"file": item.file_name, "size": len(data)},
    )  # fmt: skip
    return item


def get_item(session: Session, *, user: User | None, item_id: int) -> LibraryItem:
    """An item the user may see; hidden and absent items are both 404."""
    item = session.get(LibraryItem, item_id)
    if item is None or not policies.can_view(session, user, item):
        raise NotFound(gettext("Item not found."))
    return item


def visible_successor(
    session: Session, *, user: User | None, item: LibraryItem
) -> LibraryItem | None:
    """The newer version of an item, if this user may see it: a public item whose successor is
    for members still shows, without the link."""
    if item.superseded_by_id is None:
        return None
    successor = session.get(LibraryItem, item.superseded_by_id)
    if successor is None or not policies.can_view(session, user, successor):
        return None
    return successor


def get_file(session: Session, *, user: User | None, item_id: int) -> tuple[LibraryItem, bytes]:
    item = get_item(session, user=user, item_id=item_id)
    data = session.scalar(select(LibraryItem.file_data).where(LibraryItem.id == item.id))
    if data is None:
        raise NotFound(gettext("This item has no file."))
    return item, data


@dataclass(frozen=True)
class Listing:
    """A page of items (their tags in `tags`: the items' own tag collections are not loaded)."""

    items: list[LibraryItem]
    snippets: dict[int, Markup]
    tags: dict[int, list[str]]
    total: int
    # At least `total` items: a search reached RANK_CAP matches ("1000+"), a list COUNT_CAP.
    capped: bool = False


# Lists read the items without their tag collections (which would raise if touched) and the
# tags of the page as plain pairs: a list needs no LibraryTag objects.
_LIST_OPTIONS = (defer(LibraryItem.body), raiseload(LibraryItem.tag_rows))


def _tags_of(session: Session, items: list[LibraryItem]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {item.id: [] for item in items}
    if items:
        for item_id, name in session.execute(
            select(LibraryTag.item_id, LibraryTag.tag)
            .where(LibraryTag.item_id.in_(list(tags)))
            .order_by(LibraryTag.item_id, LibraryTag.tag)
        ):
            tags[item_id].append(name)
    return tags


FIRST_PAGE = Paging(50, 0)


def list_items(
    session: Session,
    *,
    user: User | None,
    q: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    language: str | None = None,
    paging: Paging = FIRST_PAGE,
) -> Listing:
    """Visible items: ranked by relevance for a query, else newest first. The total is capped
    (search ranks at most `search.RANK_CAP`; a plain listing counts up to `COUNT_CAP`), so the
    window is taken here rather than by `paginate`."""
    conditions: list[ColumnElement[bool]] = policies.visibility_conditions(session, user)
    if category:
        conditions.append(LibraryItem.category == category)
    if language:
        conditions.append(LibraryItem.language == Language(language))
    if tag:
        tag = " ".join(tag.split()).lower()
        conditions.append(
            LibraryItem.id.in_(select(LibraryTag.item_id).where(LibraryTag.tag == tag))
        )
    if q and q.strip():
        result = search.search(
            session, query=q, conditions=conditions, limit=paging.limit, offset=paging.offset
        )
        capped = result.total >= search.RANK_CAP
        if not result.item_ids:
            return Listing([], {}, {}, result.total, capped)
        # The items and their indexed text (where the snippet comes from) in one statement.
        source = func.substr(LibraryItem.search_text, 1, search.MAX_INDEXED_CHARS)
        rows = session.execute(
            select(LibraryItem, source)
            .where(LibraryItem.id.in_(result.item_ids))
            .options(*_LIST_OPTIONS)
        ).all()
        found = {item.id: (item, text) for item, text in rows}
        items = [found[i][0] for i in result.item_ids if i in found]
        snippets = {
            item.id: search.snippet_from(found[item.id][1] or "", result.wanted) for item in items
        }
        return Listing(items, snippets, _tags_of(session, items), result.total, capped)
    # Counting every item grows with the library: count up to COUNT_CAP ("10000+"), from the
    # visibility index alone.
    counted = select(literal(1)).select_from(LibraryItem).where(*conditions).limit(COUNT_CAP)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    items = list(
        session.scalars(
            select(LibraryItem)
            .where(*conditions)
            .options(*_LIST_OPTIONS)
            .order_by(LibraryItem.created_at.desc(), LibraryItem.id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
        )
    )
    snippets = {i.id: search.plain_snippet(localized(i, "summary").text) for i in items}
    return Listing(items, snippets, _tags_of(session, items), total, total >= COUNT_CAP)


def related_items(
    session: Session, *, user: User | None, item: LibraryItem, limit: int = 5
) -> list[LibraryItem]:
    """Visible items sharing the most tags, then the same category, newest first.

    The candidates are the newest `RELATED_PER_TAG` items of each of the item's tags (read from
    the (tag, item_id) index) and the `limit` newest visible ones of the category, so the cost
    does not grow with the library: a popular tag may be shared by tens of thousands of items."""
    visible = policies.visibility_conditions(session, user)
    newest_per_tag = [
        select(LibraryTag.item_id.label("id"))
        .where(LibraryTag.tag == tag, LibraryTag.item_id != item.id)
        .order_by(LibraryTag.item_id.desc())
        .limit(RELATED_PER_TAG)
        .subquery()
        for tag in item.tags
    ]
    newest_in_category = (
        select(LibraryItem.id.label("id"))
        .where(LibraryItem.category == item.category, LibraryItem.id != item.id, *visible)
        .order_by(LibraryItem.created_at.desc(), LibraryItem.id.desc())
        .limit(limit)
        .subquery()
    )
    both = union_all(
        *(select(tagged.c.id, literal(1, Integer).label("shared")) for tagged in newest_per_tag),
        select(newest_in_category.c.id, literal(0, Integer).label("shared")),
    ).subquery()
    candidates = (
        select(both.c.id, func.sum(both.c.shared).label("shared")).group_by(both.c.id).subquery()
    )
    statement = (
        select(LibraryItem)
        .join(candidates, candidates.c.id == LibraryItem.id)
        .where(*visible)
        .options(defer(LibraryItem.body))
        .order_by(candidates.c.shared.desc(), LibraryItem.created_at.desc(), LibraryItem.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def list_versions(session: Session, *, actor: User, item_id: int) -> list[LibraryItemVersion]:
    """Staff only: the history of an item, newest first."""
    _require_staff(actor)
    item = _get_for_update(session, item_id)
    return list(
        session.scalars(
            select(LibraryItemVersion)
            .where(LibraryItemVersion.item_id == item.id)
            .order_by(LibraryItemVersion.version.desc())
        )
    )


def get_version(session: Session, *, actor: User, item_id: int, version: int) -> LibraryItemVersion:
    _require_staff(actor)
    found = session.scalar(
        select(LibraryItemVersion).where(
            LibraryItemVersion.item_id == item_id, LibraryItemVersion.version == version
        )
    )
    if found is None:
        raise NotFound(gettext("Version not found."))
    return found


def feed_items(session: Session, *, limit: int = 50) -> list[LibraryItem]:
    """The newest public items, for the Atom feed (read by anyone, so never members' items)."""
    return list(
        session.scalars(
            select(LibraryItem)
            .where(LibraryItem.visibility == Visibility.public)
            .order_by(LibraryItem.updated_at.desc(), LibraryItem.id.desc())
            .limit(limit)
        )
    )


def reindex(session: Session) -> int:
    """Recompute the search columns and the index of every item."""
    for item in session.scalars(
        select(LibraryItem).options(undefer(LibraryItem.attachment_text))
    ).yield_per(500):
        _refresh_search_columns(item)
    session.flush()
    return search.reindex_all(session)
