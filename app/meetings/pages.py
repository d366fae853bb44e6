"""HTML pages: investor directory, my meetings, investor inbox, pitch-day agenda."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from app.accounts.models import Organisation, Role, User
from app.deps import OptionalUser, SessionDep, StaffUser
from app.errors import DomainError, NotFound
from app.i18n import N_, format_rub, get_timezone, gettext
from app.meetings import service
from app.meetings.models import PitchDay
from app.meetings.schemas import AcceptIn, AvailabilityForm, DeclineIn, MeetingRequestIn
from app.vocab import Stage, sector_label
from app.web import (
    FormData,
    Pagination,
    flash,
    form_action,
    login_redirect,
    parse_form,
    redirect,
    register_nav,
    render_page,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20

register_nav("/investors", N_("Investors"), order=40)
register_nav("/meetings", N_("My meetings"), order=41)
register_nav("/investor-inbox", N_("Meeting requests"), order=42, roles=(Role.investor,))


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
    listed, total = service.investors_for(session, actor=user, limit=PAGE_SIZE, offset=offset)
    cards = [card for card, _reasons in listed]
    reasons = {card.user.id: why for card, why in listed}
    slots = {
        investor_id: found[:8]
        for investor_id, found in service.free_slots_of(
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
            "zone": get_timezone().key,
            "sector_label": sector_label,
            "stage_labels": dict(Stage.choices()),
            # Ticket sizes repeat from card to card, and babel formats a sum slowly (~40 µs).
            "rub": functools.cache(format_rub),
        },
    )


@router.post("/investors/{investor_id}/request")
def request_page(
    investor_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    data, _errors = parse_form(MeetingRequestIn, {**form, "investor_id": investor_id})
    if data is None:
        flash(request, gettext("Write a message to the investor."), "error")
        return redirect("/investors")
    deck = form.get("deck")
    try:
        with session.begin_nested():
            created = service.create_request(
                session,
                actor=user,
                investor_id=investor_id,
                message=data.message,
                starts_at=data.starts_at,
            )
            if isinstance(deck, UploadFile) and deck.filename:
                service.attach_deck(
                    session,
                    actor=user,
                    request_id=created.id,
                    filename=deck.filename,
                    stream=deck.file,
                )
    except DomainError as error:
        flash(request, error.detail, "error")
        return redirect("/investors")
    flash(request, gettext("Your request was sent."))
    return redirect("/meetings")


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
    meetings, total = service.list_meetings(
        session, actor=user, with_feedback=False, limit=PAGE_SIZE, offset=offset
    )
    requests, sent = service.list_requests(session, actor=user, sent_only=True, limit=PAGE_SIZE)
    return render_page(
        request,
        "meetings/meetings.html",
        {
            "meetings": meetings,
            "pagination": Pagination(total, PAGE_SIZE, offset),
            "requests": requests,
            "more_requests": sent - len(requests),
            "users": _user_names(
                session, {m.investor_id for m in meetings} | {r.investor_id for r in requests}
            ),
            "orgs": _organisation_names(session, {m.organisation_id for m in meetings}),
        },
    )


@router.get("/investor-inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    inbox = service.investor_inbox(session, actor=user)
    return render_page(
        request,
        "meetings/inbox.html",
        {
            "requests": inbox.requests,
            "slots": inbox.slots,
            "windows": inbox.windows,
            "is_investor": inbox.is_investor,
            "zone": get_timezone().key,
            "orgs": _organisation_names(session, {r.organisation_id for r in inbox.requests}),
        },
    )


@router.post("/investor-inbox/availability")
def availability_page(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Times typed without a zone are the investor's local times (`users.timezone`)."""
    if user is None:
        return login_redirect(request)
    data, errors = parse_form(AvailabilityForm, form)
    try:
        if data is None:
            raise DomainError(next(iter(errors.values()), gettext("This value is not valid.")))
        zone = get_timezone()
        starts_at, ends_at = (
            moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
            for moment in (data.starts_at, data.ends_at)
        )
        with session.begin_nested():
            service.add_availability(
                session,
                actor=user,
                starts_at=starts_at,
                ends_at=ends_at,
                slot_minutes=data.slot_minutes,
            )
    except DomainError as error:
        flash(request, error.detail, "error")
        return redirect("/investor-inbox")
    flash(request, gettext("Your availability is published."))
    return redirect("/investor-inbox")


@router.post("/investor-inbox/{request_id}/accept")
def accept_page(
    request_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    data, _errors = parse_form(AcceptIn, form)
    if data is None or data.starts_at is None:
        flash(request, gettext("Choose a slot."), "error")
        return redirect("/investor-inbox")
    return form_action(
        request,
        session,
        "/investor-inbox",
        lambda: service.accept_request(
            session, actor=user, request_id=request_id, starts_at=data.starts_at
        ),
        gettext("The meeting is scheduled."),
    )


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
        lambda: service.withdraw_request(session, actor=user, request_id=request_id),
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
        lambda: service.decline_request(
            session, actor=user, request_id=request_id, reason=data.reason
        ),
        gettext("The request was declined."),
    )


def _slot_times(day: PitchDay) -> list[tuple[str, str]]:
    step = timedelta(minutes=day.slot_minutes)
    times = []
    for start in day.slot_starts:
        moment = datetime.combine(day.date, datetime.strptime(start, "%H:%M").time())
        times.append((start, (moment + step).strftime("%H:%M")))
    return times


@router.get("/pitch-days/{pitch_day_id}", response_class=HTMLResponse)
def agenda_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    day = service.get_pitch_day(session, pitch_day_id)
    visible = service.can_see_schedule(session, user, day)
    meetings = service.pitch_meetings(session, day.id) if visible else []
    participants = service.pitch_participant_ids(session, day.id)
    mine = sorted(participants & service._user_organisation_ids(session, user))
    ids = {i for m in meetings for i in (m.first_organisation_id, m.second_organisation_id)}
    return render_page(
        request,
        "meetings/agenda.html",
        {
            "day": day,
            "date": datetime.combine(day.date, datetime.min.time()),
            "meetings": meetings,
            "names": _organisation_names(
                session, ids | set(mine) | (participants if user.is_staff else set())
            ),
            "visible": visible,
            "mine": mine,
            "participants": sorted(participants) if user.is_staff else [],
            "tables": range(1, day.tables + 1),
            "times": _slot_times(day),
        },
    )


@router.get("/pitch-days/{pitch_day_id}/agenda/{organisation_id}", response_class=HTMLResponse)
def participant_agenda_page(
    pitch_day_id: int,
    organisation_id: int,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
) -> Response:
    """A printable agenda of one participant: slot, table and whom they meet."""
    if user is None:
        return login_redirect(request)
    day, meetings = service.participant_agenda(
        session, actor=user, pitch_day_id=pitch_day_id, organisation_id=organisation_id
    )
    ids = {i for m in meetings for i in (m.first_organisation_id, m.second_organisation_id)}
    rows = [
        (
            m,
            m.second_organisation_id
            if m.first_organisation_id == organisation_id
            else m.first_organisation_id,
        )
        for m in meetings
    ]
    return render_page(
        request,
        "meetings/participant_agenda.html",
        {
            "day": day,
            "date": datetime.combine(day.date, datetime.min.time()),
            "organisation_id": organisation_id,
            "names": _organisation_names(session, ids | {organisation_id}),
            "rows": rows,
            "visible": service.can_see_schedule(session, user, day),
            "times": _slot_times(day),
        },
    )


@router.get("/pitch-days/{pitch_day_id}/tables", response_class=HTMLResponse)
def table_sheets_page(
    pitch_day_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    table: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> Response:
    """Printable sheets, one page per table (or only `?table=N`): who sits there in each slot."""
    day = service.get_pitch_day(session, pitch_day_id)
    if table is not None and table > day.tables:
        raise NotFound(gettext("Table not found."))
    meetings = service.pitch_meetings(session, day.id)
    numbers = [table] if table is not None else list(range(1, day.tables + 1))
    sheets = [(n, {m.slot: m for m in meetings if m.table_number == n}) for n in numbers]
    ids = {i for m in meetings for i in (m.first_organisation_id, m.second_organisation_id)}
    return render_page(
        request,
        "meetings/table_sheets.html",
        {
            "day": day,
            "date": datetime.combine(day.date, datetime.min.time()),
            "sheets": sheets,
            "names": _organisation_names(session, ids),
            "times": _slot_times(day),
        },
    )


@router.post("/pitch-days/{pitch_day_id}/schedule")
def schedule_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    result = service.schedule_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    flash(
        request,
        gettext(
            "Placed %(placed)s of at most %(bound)s meetings.",
            placed=result.placed,
            bound=result.upper_bound,
        ),
    )
    return redirect(f"/pitch-days/{pitch_day_id}")


@router.post("/pitch-days/{pitch_day_id}/publish")
def publish_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    service.publish_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    flash(request, gettext("The schedule is published: participants now see their agendas."))
    return redirect(f"/pitch-days/{pitch_day_id}")
