"""HTML pages of the site: home, `/verify/{code}`, the personal calendar feed, and the pages that
span every domain (a person's export and erasure, disabling an account)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.accounts import service as accounts
from app.accounts.deps import AdminUser, CurrentUser, OptionalUser
from app.deps import SessionDep
from app.errors import NotFound
from app.i18n import gettext
from app.portal import calendar, personal_data, verification
from app.portal.workspace import workspace_of
from app.training.calendar import user_for_feed_token
from app.web import (
    FormData,
    flash,
    form_action,
    redirect,
    render_page,
    session_cookie,
    set_cookie_headers,
)

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser, session: SessionDep) -> Response:
    """The public home for visitors; a signed-in user's workspace: what to do next."""
    if user is None:
        return render_page(request, "home.html")
    return render_page(request, "portal/workspace.html", {"parts": workspace_of(session, user)})


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify_page(request: Request, code: str, session: SessionDep, user: OptionalUser) -> Response:
    record = verification.resolve(session, code[:100])
    return render_page(
        request, "verification.html", {"record": record}, status_code=200 if record else 404
    )


@router.get("/calendar/{token}.ics")
def personal_calendar(token: str, session: SessionDep) -> Response:
    """The user's sessions and meetings behind a secret, revocable URL."""
    user = user_for_feed_token(session, token)
    if user is None:
        raise NotFound(gettext("This calendar link is not valid."))
    body = calendar.personal_feed(session, user, name=gettext("Cluster Portal"))
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/account/export")
def export_account(user: CurrentUser, session: SessionDep) -> Response:
    return JSONResponse(
        personal_data.export_personal_data(session, user),
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@router.post("/account/erase")
def erase_account(
    request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    if form.get("confirm") != "yes":
        flash(request, gettext("Tick the box to confirm the erasure."), "error")
        return redirect("/account")
    personal_data.erase_person(session, user)
    response = redirect("/")
    set_cookie_headers(response.headers, session_cookie(), "", max_age=0)
    return response


@router.post("/admin/users/{user_id}/active")
def change_active(
    user_id: int, request: Request, form: FormData, admin: AdminUser, session: SessionDep
) -> Response:
    enabling = form.get("active") == "1"
    change = accounts.enable_user if enabling else personal_data.disable_account
    return form_action(
        request,
        session,
        "/admin/users",
        lambda: change(session, actor=admin, user_id=user_id),
        gettext("The account has been updated."),
        flashed=(),
    )
