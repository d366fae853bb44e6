"""JSON routes: /api/v1/library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status
from markupsafe import Markup

from app.accounts.deps import OptionalUser, StaffUser
from app.config import get_settings
from app.deps import PagingDep, SessionDep
from app.errors import FieldError
from app.i18n import gettext
from app.library import content, service
from app.library.models import LibraryItem, LibraryItemVersion
from app.library.schemas import (
    CategorySlug,
    FileOut,
    ItemIn,
    ItemOut,
    ItemSummaryOut,
    LanguageSlug,
    VersionOut,
)
from app.library.search import MAX_QUERY_CHARS
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["library"])


def item_out(item: LibraryItem) -> ItemOut:
    file = None
    if item.file_name and item.file_type and item.file_size is not None:
        file = FileOut(
            name=item.file_name,
            content_type=item.file_type,
            size=item.file_size,
            url=f"/library/{item.id}/file",
        )
    return ItemOut(
        id=item.id,
        kind=str(item.kind),
        title=item.title,
        summary=item.summary,
        body=item.body,
        body_html=str(content.render_markdown(item.body)),
        language=str(item.language),
        translations=item.translations or {},
        category=item.category,
        category_label=item.category_label,
        tags=item.tags,
        visibility=str(item.visibility),
        effective_from=item.effective_from,
        effective_to=item.effective_to,
        superseded_by=item.superseded_by_id,
        file=file,
        version=item.version,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def summary_out(item: LibraryItem, snippet: Markup | None, tags: list[str]) -> ItemSummaryOut:
    return ItemSummaryOut(
        id=item.id,
        kind=str(item.kind),
        title=item.title,
        snippet=str(snippet or ""),
        summary=item.summary,
        language=str(item.language),
        translations=item.translations or {},
        category=item.category,
        category_label=item.category_label,
        tags=tags,
        visibility=str(item.visibility),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def version_out(version: LibraryItemVersion, current: int) -> VersionOut:
    return VersionOut(
        version=version.version,
        title=str(version.content.get("title", "")),
        created_at=version.created_at,
        created_by=version.created_by_id,
        note=version.note,
        current=version.version == current,
    )


def check_query(q: str | None) -> None:
    if q is not None and "\x00" in q:
        raise FieldError(
            "q", gettext("The search text may not contain NUL characters."), location="query"
        )


@router.get("/library", response_model=Page[ItemSummaryOut])
def list_library(
    session: SessionDep,
    user: OptionalUser,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    category: CategorySlug | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    language: LanguageSlug | None = None,
) -> Page[ItemSummaryOut]:
    check_query(q)
    if tag is not None and "\x00" in tag:
        raise FieldError("tag", gettext("This value is not valid."), location="query")
    listing = service.list_items(
        session, user=user, q=q, category=category, tag=tag, language=language,
        paging=paging,
    )  # fmt: skip
    return Page(
        items=[
            summary_out(i, listing.snippets.get(i.id), listing.tags[i.id]) for i in listing.items
        ],
        total=listing.total,
    )


@router.post("/library", status_code=status.HTTP_201_CREATED, response_model=ItemOut)
def create_library_item(body: ItemIn, session: SessionDep, user: StaffUser) -> ItemOut:
    return item_out(service.create_item(session, actor=user, data=body))


@router.get("/library/{item_id}", response_model=ItemOut)
def get_library_item(item_id: int, session: SessionDep, user: OptionalUser) -> ItemOut:
    item = service.get_item(session, user=user, item_id=item_id)
    successor = service.visible_successor(session, user=user, item=item)
    # A successor the reader may not see is not named: its id would reveal that it exists.
    return item_out(item).model_copy(update={"superseded_by": successor.id if successor else None})


@router.put("/library/{item_id}", response_model=ItemOut)
def update_library_item(
    item_id: int, body: ItemIn, session: SessionDep, user: StaffUser
) -> ItemOut:
    return item_out(service.update_item(session, actor=user, item_id=item_id, data=body))


@router.post("/library/{item_id}/file", response_model=ItemOut)
def upload_library_file(
    item_id: int, session: SessionDep, user: StaffUser, file: Annotated[UploadFile, File()]
) -> ItemOut:
    data = read_upload(file)
    item = service.attach_file(
        session, actor=user, item_id=item_id, filename=file.filename or "", data=data
    )
    return item_out(item)


def read_upload(file: UploadFile) -> bytes:
    """Read one byte past the limit, so that the service can refuse an oversized file (413)."""
    return file.file.read(get_settings().max_upload_bytes + 1)


@router.get("/library/{item_id}/versions", response_model=Page[VersionOut])
def list_library_versions(item_id: int, session: SessionDep, user: StaffUser) -> Page[VersionOut]:
    item = service.get_item(session, user=user, item_id=item_id)
    versions = service.list_versions(session, actor=user, item_id=item_id)
    return Page(items=[version_out(v, item.version) for v in versions], total=len(versions))


@router.post("/library/{item_id}/versions/{version}/restore", response_model=ItemOut)
def restore_library_version(
    item_id: int, version: int, session: SessionDep, user: StaffUser
) -> ItemOut:
    return item_out(service.restore_version(session, actor=user, item_id=item_id, version=version))
