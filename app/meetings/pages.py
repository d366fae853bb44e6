"""HTML pages: investor directory, my meetings, investor inbox. The request form is in
`request_pages`, the page of one meeting in `meeting_pages`, pitch days in `pitch_day_pages`."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from app.accounts.deps import OptionalUser
from app.accounts.models import Organisation, User
from app.deps import SessionDep
from app.errors import DomainError, FieldError, NotFound
from app.formatting import format_money
from app.i18n import get_timezone, gettext
from app.meetings import (
    availability,
    bookings,
    investors,
    meeting_pages,
    pitch_agendas,
    pitch_day_pages,
    policies,
    request_pages,
    requests,
)
from app.meetings.meeting_pages import details_errors
from app.meetings.schemas import AcceptIn, AvailabilityForm, DeclineIn
from app.vocab import Stage, sector_label
from app.web import (
    FormData,
    Pagination,
    flash,
    form_action,
    login_redirect,
    parse_form,
    redirect,
    render_page,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def _user_names(session: SessionDep, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if ids:
        found = {
            row.id: row.full_name
            for row in session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
        }
    return {i: found.get(i, "") for i in ids}


def _organisation_names(session: SessionDep, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if ids:
        found = {
            row.id: row.name
            for row in session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
            )
        }
    return {i: found.get(i, "") for i in ids}


@router.get("/investors", response_class=HTMLResponse)
def investors_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    if user is None:
        return login_redirect(request)
    listed, total = investors.investors_for(session, actor=user, limit=PAGE_SIZE, offset=offset)
    requirements = policies.request_requirements(session, user)
    cards = [card for card, _reasons in listed]
    reasons = {card.user.id: why for card, why in listed}
    slots = {
        investor_id: found[:8]
        for investor_id, found in availability.free_slots_of(
            session, [card.user.id for card in cards], limit=8
        ).items()
    }
    return render_page(
        request,
        "meetings/investors.html",
        {
            "cards": cards,
            "pagination": Pagination(total, PAGE_SIZE, offset),
            "reasons": reasons,
            "slots": slots,
            "errors": {},
            "requirements": requirements,
            "zone": get_timezone().key,
            "sector_label": sector_label,
            "stage_labels": dict(Stage.choices()),
            # Ticket sizes repeat from card to card, and babel formats a sum slowly (~40 µs).
            "rub": functools.cache(format_money),
        },
    )


@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The caller's meetings, a page at a time, and their organisations' latest requests."""
    if user is None:
        return login_redirect(request)
    meetings, total = bookings.list_meetings(
        session, actor=user, with_feedback=False, limit=PAGE_SIZE, offset=offset
    )
    sent, total_sent = requests.list_requests(session, actor=user, sent_only=True, limit=PAGE_SIZE)
    return render_page(
        request,
        "meetings/meetings.html",
        {
            "meetings": meetings,
            "pagination": Pagination(total, PAGE_SIZE, offset),
            "requests": sent,
            "actions": {r.id: policies.request_actions(session, user, r) for r in sent},
            "more_requests": total_sent - len(sent),
            "users": _user_names(
                session, {m.investor_id for m in meetings} | {r.investor_id for r in sent}
            ),
            "orgs": _organisation_names(session, {m.organisation_id for m in meetings}),
            "pitch_appointments": pitch_agendas.pitch_appointments(
                session, user, upcoming_only=True
            ),
        },
    )


def _inbox(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    typed: dict[int, dict[str, str]] | None = None,
    errors: dict[int, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    """The inbox; `typed` and `errors` (by request id) bring back a refused accept form."""
    inbox = requests.investor_inbox(session, actor=user)
    return render_page(
        request,
        "meetings/inbox.html",
        {
            "requests": inbox.requests,
            "answerable": {
                r.id for r in inbox.requests if policies.can_answer_request(session, user, r)
            },
            "inbox_actions": inbox.actions,
            "slots": inbox.slots,
            "windows": inbox.windows,
            "zone": get_timezone().key,
            "orgs": _organisation_names(session, {r.organisation_id for r in inbox.requests}),
            "typed": typed or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/investor-inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    return _inbox(request, session, user)


@router.post("/investor-inbox/availability")
def availability_page(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Times typed without a zone are the investor's local times (`users.timezone`)."""
    if user is None:
        return login_redirect(request)
    data, errors = parse_form(AvailabilityForm, form)
    if data is None:
        flash(request, next(iter(errors.values()), gettext("This value is not valid.")), "error")
        return redirect("/investor-inbox")
    zone = get_timezone()
    starts_at, ends_at = (
        moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
        for moment in (data.starts_at, data.ends_at)
    )
    return form_action(
        request,
        session,
        "/investor-inbox",
        lambda: availability.add_availability(
            session,
            actor=user,
            starts_at=starts_at,
            ends_at=ends_at,
            slot_minutes=data.slot_minutes,
        ),
        gettext("Your availability is published."),
    )


@router.post("/investor-inbox/{request_id}/accept")
def accept_page(
    request_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Accept into the chosen slot, with the place and video link; a refusal shows the inbox
    again with what was typed and why."""
    if user is None:
        return login_redirect(request)
    typed = {
        k: form[k] for k in ("starts_at", "location", "video_url") if isinstance(form.get(k), str)
    }
    data, errors = parse_form(AcceptIn, form)
    if data is not None and data.starts_at is None:
        errors = {"starts_at": gettext("Choose a slot.")}
    if data is None or errors:
        return _inbox(
            request,
            session,
            user,
            typed={request_id: typed},
            errors={request_id: details_errors(errors)},
            status_code=422,
        )
    try:
        with session.begin_nested():
            meeting = requests.accept_request(
                session,
                actor=user,
                request_id=request_id,
                starts_at=data.starts_at,
                **data.details(),
            )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        field = error.field if isinstance(error, FieldError) else "__all__"
        return _inbox(
            request,
            session,
            user,
            typed={request_id: typed},
            errors={request_id: {field: error.detail}},
            status_code=error.status_code,
        )
    flash(request, gettext("The meeting is scheduled."))
    return redirect(f"/meetings/{meeting.id}")


@router.post("/meetings/requests/{request_id}/withdraw")
def withdraw_page(
    request_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    return form_action(
        request,
        session,
        "/meetings",
        lambda: requests.withdraw_request(session, actor=user, request_id=request_id),
        gettext("The request was withdrawn; its time is free again."),
    )


@router.post("/investor-inbox/{request_id}/decline")
def decline_page(
    request_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    data, _errors = parse_form(DeclineIn, form)
    if data is None:
        flash(request, gettext("Give a reason."), "error")
        return redirect("/investor-inbox")
    return form_action(
        request,
        session,
        "/investor-inbox",
        lambda: requests.decline_request(
            session, actor=user, request_id=request_id, reason=data.reason
        ),
        gettext("The request was declined."),
    )


router.include_router(request_pages.router)
router.include_router(meeting_pages.router)
router.include_router(pitch_day_pages.router)
