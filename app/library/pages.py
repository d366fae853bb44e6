"""HTML pages: browse and search, item, history, staff edit form, file download, Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from xml.etree import ElementTree

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import OptionalUser, StaffUser
from app.bilingual import form_values, localized, translations_from_form
from app.deps import SessionDep
from app.errors import FieldError
from app.i18n import gettext
from app.library import content, policies, service
from app.library.api import read_upload
from app.library.models import Category, Language, LibraryItem, Visibility
from app.library.schemas import ItemIn
from app.library.search import MAX_QUERY_CHARS
from app.pagination import Pagination, Paging, page_paging
from app.templating import absolute_url
from app.uploads import PRIVATE, file_response
from app.web import FormData, flash, form_action, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)


ListPaging = Annotated[Paging, page_paging(20)]


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
    paging: ListPaging,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    category: str = "",
    tag: Annotated[str, Query(max_length=50)] = "",
    language: str = "",
) -> Response:
    q = q.replace("\x00", " ")
    tag = tag.replace("\x00", " ")
    category = category if category in {c.value for c in Category} else ""
    language = language if language in {lang.value for lang in Language} else ""
    listing = service.list_items(
        session, user=user, q=q, category=category or None, tag=tag or None,
        language=language or None, paging=paging,
    )  # fmt: skip
    base_query = urlencode({"q": q, "category": category, "tag": tag, "language": language})
    return render_page(
        request,
        "library/browse.html",
        {
            "listing": listing,
            "pagination": Pagination.of(paging, listing.total),
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
        sub(entry, "title", localized(item, "title").text)
        sub(entry, "id", absolute_url(f"/library/{item.id}"))
        sub(entry, "link", href=absolute_url(f"/library/{item.id}"))
        sub(entry, "updated", item.updated_at.isoformat())
        sub(entry, "published", item.created_at.isoformat())
        sub(entry, "category", term=item.category, label=item.category_label)
        summary = localized(item, "summary").text
        sub(entry, "summary", summary or content.markdown_text(localized(item, "body").text)[:500])
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
        **form_values(item),
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
    form = {
        **form,
        "translations": translations_from_form(
            form, source=str(form.get("language") or "ru"), fields=LibraryItem.__translatable__
        ),
    }
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
        return _render_form(request, item, values, exc.by_field(), 422)
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
    successor = service.visible_successor(session, user=user, item=item)
    body = localized(item, "body")
    return render_page(
        request,
        "library/item.html",
        {
            "item": item,
            "body_html": content.render_markdown(body.text),
            "body": body,
            "related": service.related_items(session, user=user, item=item),
            "successor": successor,
            "can_edit": policies.can_edit(user),
        },
    )


@router.get("/library/{item_id}/file")
def download(item_id: int, session: SessionDep, user: OptionalUser) -> Response:
    item, data = service.get_file(session, user=user, item_id=item_id)
    name = item.file_name or "document"
    # Kept in the database, not the uploads folder: always sent by the portal.
    return file_response(
        data,
        filename=name,
        media_type=item.file_type or "application/octet-stream",
        cache_control=PRIVATE if item.visibility != Visibility.public else "public, max-age=300",
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
    return form_action(
        request,
        session,
        f"/library/{item_id}",
        lambda: service.attach_file(
            session, actor=user, item_id=item_id, filename=file.filename or "",
            data=read_upload(file),
        ),
        gettext("The file has been attached."),
        shown_as_page={404},
        refused_target=f"/library/{item_id}/edit",
    )  # fmt: skip


@router.get("/library/{item_id}/history", response_class=HTMLResponse)
def history(request: Request, item_id: int, session: SessionDep, user: StaffUser) -> Response:
    item = service.get_item(session, user=user, item_id=item_id)
    versions = service.list_versions(session, actor=user, item_id=item_id)
    return render_page(request, "library/history.html", {"item": item, "versions": versions})


@router.post("/library/{item_id}/versions/{version}/restore")
def restore(
    request: Request, item_id: int, version: int, session: SessionDep, user: StaffUser
) -> Response:
    return form_action(
        request,
        session,
        f"/library/{item_id}",
        lambda: service.restore_version(session, actor=user, item_id=item_id, version=version),
        gettext("Version %(number)s has been restored.", number=version),
        flashed=(),
    )
