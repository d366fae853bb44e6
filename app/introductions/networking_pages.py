"""Pages of networking between members: the owner's profile form and the member directory with
the suggestions of members to work with."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from app.accounts.deps import CurrentUser
from app.deps import SessionDep
from app.i18n import gettext
from app.introductions import networking
from app.introductions.schemas import OrganisationProfileIn
from app.pagination import Pagination, Paging, page_paging
from app.vocab import sector_label, sector_slugs
from app.web import FormData, flash, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)

DirectoryPaging = Annotated[Paging, page_paging(20)]
FIELDS = ("offers", "needs", "technologies")


def _lines(value: object) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


@router.get("/organisations/{organisation_id}/profile", response_class=HTMLResponse)
def profile_form(
    organisation_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    organisation = networking.editable_profile(session, actor=user, organisation_id=organisation_id)
    profile = networking.get_profile(session, organisation_id)
    values = {f: "\n".join(getattr(profile, f)) if profile else "" for f in FIELDS}
    return render_page(
        request,
        "introductions/profile_form.html",
        {"organisation": organisation, "values": values, "errors": {}},
    )


@router.post("/organisations/{organisation_id}/profile")
def save_profile(
    organisation_id: int, request: Request, user: CurrentUser, session: SessionDep, form: FormData
) -> Response:
    organisation = networking.editable_profile(session, actor=user, organisation_id=organisation_id)
    parsed, errors = parse_form(OrganisationProfileIn, {f: _lines(form.get(f)) for f in FIELDS})
    if parsed is None:
        context = {
            "organisation": organisation,
            "values": {f: str(form.get(f, "")) for f in FIELDS},
            "errors": errors,
        }
        return render_page(request, "introductions/profile_form.html", context, status_code=422)
    networking.update_profile(
        session,
        actor=user,
        organisation_id=organisation_id,
        offers=parsed.offers,
        needs=parsed.needs,
        technologies=parsed.technologies,
    )
    flash(request, gettext("The profile is saved."))
    return redirect(f"/organisations/{organisation_id}")


@router.get("/directory", response_class=HTMLResponse)
def directory(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: DirectoryPaging,
    q: Annotated[str, Query(max_length=200)] = "",
    sector: Annotated[str, Query(max_length=40)] = "",
    region: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    rows, total = networking.directory(
        session, actor=user, paging=paging, q=q, sector=sector, region=region
    )
    filters = {k: v for k, v in {"q": q, "sector": sector, "region": region}.items() if v}
    return render_page(
        request,
        "introductions/directory.html",
        {
            "rows": rows,
            "suggestions": networking.suggestions(session, actor=user),
            "pagination": Pagination.of(paging, total),
            "base_query": urlencode(filters) + "&" if filters else "",
            "filters": {"q": q, "sector": sector, "region": region},
            "sectors": [(slug, sector_label(slug)) for slug in sector_slugs()],
            "regions": [(r, r) for r in networking.member_regions(session)],
            "sector_label": sector_label,
            "can_request": networking.can_request(session, user),
            "own_ids": networking.own_organisation_ids(session, user),
        },
    )
