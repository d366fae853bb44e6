"""HTML pages: investor directory, my meetings, investor inbox, pitch-day agenda."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from app.accounts.models import Organisation, Role, User
from app.deps import OptionalUser, SessionDep
from app.errors import DomainError
from app.i18n import N_, gettext
from app.meetings import service
from app.meetings.models import RequestStatus
from app.meetings.schemas import AcceptIn, DeclineIn, MeetingRequestIn
from app.web import FormData, flash, login_redirect, parse_form, redirect, register_nav, render_page

router = APIRouter(include_in_schema=False)

register_nav("/investors", N_("Investors"), order=40)
register_nav("/meetings", N_("My meetings"), order=41)
register_nav("/investor-inbox", N_("Meeting requests"), order=42, roles=(Role.investor,))


def _names(session: SessionDep, meetings: list) -> dict[str, dict[int, str]]:  # type: ignore[type-arg]
    """Investor and organisation names for the rows, in two queries."""
    user_ids = {m.investor_id for m in meetings}
    org_ids = {m.organisation_id for m in meetings}
    users: dict[int, str] = {}
    orgs: dict[int, str] = {}
    if user_ids:
        users = {
            row.id: row.full_name
            for row in session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
        }
    if org_ids:
        orgs = {
            row.id: row.name
            for row in session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
            )
        }
    return {
        "users": {i: users.get(i, "") for i in user_ids},
        "orgs": {i: orgs.get(i, "") for i in org_ids},
    }


@router.get("/investors", response_class=HTMLResponse)
def investors_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    cards = service.list_investors(session, actor=user)
    return render_page(request, "meetings/investors.html", {"cards": cards, "errors": {}})


@router.post("/investors/{investor_id}/request")
def request_page(
    investor_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    data, errors = parse_form(MeetingRequestIn, {**form, "investor_id": investor_id})
    if data is None:
        flash(request, gettext("Write a message to the investor."), "error")
        return redirect("/investors")
    try:
        service.create_request(session, actor=user, investor_id=investor_id, message=data.message)
    except DomainError as error:
        flash(request, error.detail, "error")
        return redirect("/investors")
    flash(request, gettext("Your request was sent."))
    return redirect("/meetings")


@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    meetings = service.list_meetings(session, actor=user)
    requests = [r for r in service.list_requests(session, actor=user) if r.investor_id != user.id]
    return render_page(
        request,
        "meetings/meetings.html",
        {"meetings": meetings, "requests": requests, **_names(session, meetings + requests)},
    )


@router.get("/investor-inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    requests = [
        r
        for r in service.list_requests(session, actor=user)
        if r.investor_id == user.id and r.status == RequestStatus.requested
    ]
    slots = service.free_slots(session, user.id)
    return render_page(
        request,
        "meetings/inbox.html",
        {"requests": requests, "slots": slots, **_names(session, requests)},
    )


@router.post("/investor-inbox/{request_id}/accept")
def accept_page(
    request_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    data, _errors = parse_form(AcceptIn, form)
    try:
        if data is None:
            raise DomainError(gettext("Choose a slot."))
        service.accept_request(session, actor=user, request_id=request_id, starts_at=data.starts_at)
    except DomainError as error:
        flash(request, error.detail, "error")
        return redirect("/investor-inbox")
    flash(request, gettext("The meeting is scheduled."))
    return redirect("/investor-inbox")


@router.post("/investor-inbox/{request_id}/decline")
def decline_page(
    request_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    data, _errors = parse_form(DeclineIn, form)
    try:
        if data is None:
            raise DomainError(gettext("Give a reason."))
        service.decline_request(session, actor=user, request_id=request_id, reason=data.reason)
    except DomainError as error:
        flash(request, error.detail, "error")
        return redirect("/investor-inbox")
    flash(request, gettext("The request was declined."))
    return redirect("/investor-inbox")


@router.get("/pitch-days/{pitch_day_id}", response_class=HTMLResponse)
def agenda_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    day = service.get_pitch_day(session, pitch_day_id)
    visible = day.published_at is not None or user.is_staff
    meetings = service.pitch_meetings(session, day.id) if visible else []
    ids = {i for m in meetings for i in (m.first_organisation_id, m.second_organisation_id)}
    names = {i: (session.get(Organisation, i) or Organisation(name="")).name for i in ids}
    date = datetime.combine(day.date, datetime.min.time())
    return render_page(
        request,
        "meetings/agenda.html",
        {"day": day, "date": date, "meetings": meetings, "names": names, "visible": visible},
    )
