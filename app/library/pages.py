"""HTML pages: browse and search, item, history, staff edit form, file download, Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.deps import OptionalUser, SessionDep, StaffUser
from app.errors import DomainError, FieldError
from app.i18n import N_, gettext
from app.library import content, policies, service
from app.library.api import read_upload
from app.library.models import Category, Language, LibraryItem, Visibility
from app.library.schemas import ItemIn
from app.library.search import MAX_QUERY_CHARS
from app.templating import absolute_url
from app.web import FormData, Pagination, flash, parse_form, redirect, register_nav, render_page

router = APIRouter(include_in_schema=False)

register_nav("/library", N_("Library"), order=50, public=True)

PAGE_SIZE = 20


def _choices() -> dict[str, Any]:
    return {
        "categories": Category.choices(),
        "languages": Language.choices(),
        "visibilities": Visibility.choices(),
    }


@router.get("/library", response_class=HTMLResponse)
def browse(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    category: str = "",
    tag: Annotated[str, Query(max_length=50)] = "",
    language: str = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    q = q.replace("\x00", " ")
    tag = tag.replace("\x00", " ")
    category = category if category in {c.value for c in Category} else ""
    language = language if language in {lang.value for lang in Language} else ""
    listing = service.list_items(
        session, user=user, q=q, category=category or None, tag=tag or None,
        language=language or None, limit=PAGE_SIZE, offset=offset,
    )  # fmt: skip
    base_query = urlencode({"q": q, "category": category, "tag": tag, "language": language})
    return render_page(
        request,
        "library/browse.html",
        {
            "listing": listing,
            "pagination": Pagination(listing.total, PAGE_SIZE, offset),
            "base_query": base_query + "&",
            "q": q,
            "category": category,
            "tag": tag,
            "language": language,
            "tags": service.popular_tags(session, user),
            "can_edit": policies.can_edit(user),
            **_choices(),
        },
    )


@router.get("/library/feed.atom")
def feed(session: SessionDep) -> Response:
    atom = "http://www.w3.org/2005/Atom"
    ElementTree.register_namespace("", atom)

    def sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> Any:
        element = ElementTree.SubElement(parent, f"{{{atom}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    items = service.feed_items(session)
    root = ElementTree.Element(f"{{{atom}}}feed")
    sub(root, "title", gettext("Cluster library"))
    sub(root, "id", absolute_url("/library"))
    sub(root, "link", href=absolute_url("/library/feed.atom"), rel="self")
    sub(root, "link", href=absolute_url("/library"))
    updated = items[0].updated_at if items else datetime(2026, 1, 1, tzinfo=UTC)
    sub(root, "updated", updated.isoformat())
    for item in items:
        entry = sub(root, "entry")
        sub(entry, "title", item.title)
        sub(entry, "id", absolute_url(f"/library/{item.id}"))
        sub(entry, "link", href=absolute_url(f"/library/{item.id}"))
        sub(entry, "updated", item.updated_at.isoformat())
        sub(entry, "published", item.created_at.isoformat())
        sub(entry, "category", term=item.category, label=item.category_label)
        sub(entry, "summary", item.summary or content.markdown_text(item.body)[:500])
        author = sub(entry, "author")
        sub(author, "name", gettext("Cluster library"))
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _form_values(item: LibraryItem | None) -> dict[str, Any]:
    if item is None:
        return {"language": "ru", "category": "other", "visibility": "public"}
    return {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "language": str(item.language),
        "category": item.category,
        "tags": ", ".join(item.tags),
        "visibility": str(item.visibility),
        "effective_from": item.effective_from.isoformat() if item.effective_from else "",
        "effective_to": item.effective_to.isoformat() if item.effective_to else "",
        "superseded_by": item.superseded_by_id or "",
    }


def _render_form(
    request: Request, item: LibraryItem | None, values: dict[str, Any], errors: dict[str, str],
    status_code: int = 200,
) -> Response:  # fmt: skip
    return render_page(
        request,
        "library/form.html",
        {"item": item, "values": values, "errors": errors, **_choices()},
        status_code=status_code,
    )


def _save(
    request: Request, session: Any, user: Any, item: LibraryItem | None, form: dict[str, Any]
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    parsed, errors = parse_form(ItemIn, form)
    if parsed is None:
        if "__all__" in errors:
            errors["__all__"] = gettext(
                "Check the dates: they apply to regulations only, and the end may not come "
                "before the start."
            )
        return _render_form(request, item, values, errors, 422)
    try:
        if item is None:
            saved = service.create_item(session, actor=user, data=parsed)
        else:
            saved = service.update_item(session, actor=user, item_id=item.id, data=parsed)
    except FieldError as exc:
        return _render_form(request, item, values, {exc.field: exc.detail}, 422)
    flash(request, gettext("The item has been saved."))
    return redirect(f"/library/{saved.id}")


@router.get("/library/new", response_class=HTMLResponse)
def new_form(request: Request, user: StaffUser) -> Response:
    return _render_form(request, None, _form_values(None), {})


@router.post("/library/new")
def create(request: Request, form: FormData, session: SessionDep, user: StaffUser) -> Response:
    return _save(request, session, user, None, form)


@router.get("/library/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: int, session: SessionDep, user: OptionalUser) -> Response:
    item = service.get_item(session, user=user, item_id=item_id)
    successor = (
        service.get_item(session, user=user, item_id=item.superseded_by_id)
        if item.superseded_by_id
        else None
    )
    return render_page(
        request,
        "library/item.html",
        {
            "item": item,
            "body_html": content.render_markdown(item.body),
            "related": service.related_items(session, user=user, item=item),
            "successor": successor,
            "can_edit": policies.can_edit(user),
        },
    )


@router.get("/library/{item_id}/file")
def download(item_id: int, session: SessionDep, user: OptionalUser) -> Response:
    item, data = service.get_file(session, user=user, item_id=item_id)
    name = item.file_name or "document"
    return Response(
        data,
        media_type=item.file_type or "application/octet-stream",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "cache-control": "private, no-store"
            if item.visibility != Visibility.public
            else "public, max-age=300",
        },
    )


@router.get("/library/{item_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, item_id: int, session: SessionDep, user: StaffUser) -> Response:
    item = service.get_item(session, user=user, item_id=item_id)
    return _render_form(request, item, _form_values(item), {})


@router.post("/library/{item_id}/edit")
def edit(
    request: Request, item_id: int, form: FormData, session: SessionDep, user: StaffUser
) -> Response:
    item = service.get_item(session, user=user, item_id=item_id)
    return _save(request, session, user, item, form)


@router.post("/library/{item_id}/file")
def upload(
    request: Request,
    item_id: int,
    session: SessionDep,
    user: StaffUser,
    file: Annotated[UploadFile, File()],
) -> Response:
    try:
        with session.begin_nested():
            service.attach_file(
                session, actor=user, item_id=item_id, filename=file.filename or "",
                data=read_upload(file),
            )  # fmt: skip
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.detail, "error")
        return redirect(f"/library/{item_id}/edit")
    flash(request, gettext("The file has been attached."))
    return redirect(f"/library/{item_id}")


@router.get("/library/{item_id}/history", response_class=HTMLResponse)
def history(request: Request, item_id: int, session: SessionDep, user: StaffUser) -> Response:
    item = service.get_item(session, user=user, item_id=item_id)
    versions = service.list_versions(session, actor=user, item_id=item_id)
    return render_page(request, "library/history.html", {"item": item, "versions": versions})


@router.post("/library/{item_id}/versions/{version}/restore")
def restore(
    request: Request, item_id: int, version: int, session: SessionDep, user: StaffUser
) -> Response:
    service.restore_version(session, actor=user, item_id=item_id, version=version)
    flash(request, gettext("Version %(number)s has been restored.", number=version))
    return redirect(f"/library/{item_id}")
