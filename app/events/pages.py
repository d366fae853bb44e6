"""HTML pages of events: the list with register buttons, an event's page, the staff's form,
list of all events, and participants with attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field
from sqlalchemy.orm import Session

from app import bilingual
from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.db import utcnow
from app.deps import SessionDep
from app.errors import Conflict, FieldError
from app.events import policies, service
from app.events.models import Event, EventKind, Registration
from app.i18n import get_timezone, gettext
from app.pagination import Pagination, Paging, page_paging
from app.schemas import Input
from app.web import FormData, flash, form_action, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)

ListPaging = Annotated[Paging, page_paging(50)]
FORM_FIELDS = ("title", "description", "language", "kind", "starts_at", "ends_at", "location")


class EventForm(Input):
    """Times as typed in a browser (no zone): read in the user's time zone."""

    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)  # empty arrives as None
    language: Literal["ru", "en"] = "ru"
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    location: str = Field(min_length=1, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    members_only: bool = False


def _registered_message(session: Session, registration: Registration) -> str:
    if registration.holds_seat:
        return gettext("You are registered.")
    return gettext(
        "The event is full: you are number %(position)s on the waitlist.",
        position=service.waitlist_position(session, registration),
    )


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request, user: OptionalUser, session: SessionDep, paging: ListPaging
) -> Response:
    rows, total = service.list_upcoming(session, user, paging=paging)
    ids = [e.id for e in rows]
    mine = (
        {r.event_id: r for r in service.registrations_of_user(session, user, event_ids=ids)}
        if user
        else {}
    )
    now = utcnow()
    return render_page(
        request,
        "events/list.html",
        {
            "events": rows,
            "counts": service.seat_counts(session, ids),
            "mine": mine,
            "positions": service.waitlist_positions(mine.values()) if mine else {},
            "actions": {
                e.id: policies.event_actions(user, e, mine.get(e.id), now=now) for e in rows
            },
            "manage": policies.can_manage_events(user),
            "pagination": Pagination.of(paging, total),
        },
    )


@router.get("/events/manage", response_class=HTMLResponse)
def manage_page(
    request: Request, user: StaffUser, session: SessionDep, paging: ListPaging
) -> Response:
    rows, total = service.list_all(session, paging=paging)
    return render_page(
        request,
        "events/manage.html",
        {
            "events": rows,
            "counts": service.seat_counts(session, [e.id for e in rows]),
            "pagination": Pagination.of(paging, total),
            "now": utcnow(),
        },
    )


def _form_page(
    request: Request,
    *,
    event: Event | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "events/form.html",
        {"event": event, "values": values, "errors": errors, "kinds": EventKind.choices()},
        status_code=status_code,
    )


def _local(moment: datetime) -> str:
    return moment.astimezone(get_timezone()).strftime("%Y-%m-%dT%H:%M")


def _values_of(event: Event) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(event, name) for name in FORM_FIELDS}
    values.update(
        kind=event.kind.value,
        starts_at=_local(event.starts_at),
        ends_at=_local(event.ends_at),
        capacity=event.capacity or "",
        members_only=event.members_only,
        **bilingual.form_values(event),
    )
    return values


def _read_form(
    form: dict[str, Any], *, event: Event | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any], dict[str, str]]:
    """The form's values for the service (or None), what to show again, and every error. An
    edited event keeps its start as shown (to the minute), even once it has passed."""
    shown = dict(form)
    shown["members_only"] = form.get("members_only") in ("on", "true", "1")
    parsed, errors = parse_form(EventForm, shown)
    errors.pop("__all__", None)
    zone = get_timezone()
    times: dict[str, Any] = {}
    for key in ("starts_at", "ends_at"):
        try:
            moment = datetime.fromisoformat(str(form.get(key) or ""))
        except ValueError:
            continue
        times[key] = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    if event is not None and times.get("starts_at") == event.starts_at.replace(
        second=0, microsecond=0
    ):
        times["starts_at"] = event.starts_at
    problems = service.time_problems(times, now=utcnow())
    if event is not None and times.get("starts_at") == event.starts_at:
        problems.pop("starts_at", None)
    if parsed is None or problems:
        return None, shown, {**problems, **errors}
    values = {**parsed.model_dump(), **times, "description": parsed.description or ""}
    values["translations"] = bilingual.translations_from_form(
        form, source=parsed.language, fields=Event.__translatable__
    )
    return values, shown, {}


@router.get("/events/new", response_class=HTMLResponse)
def new_event_page(request: Request, user: StaffUser) -> Response:
    return _form_page(request, event=None, values={"kind": "networking"}, errors={})


@router.post("/events/new")
def create_event(
    request: Request, form: FormData, user: StaffUser, session: SessionDep
) -> Response:
    values, shown, errors = _read_form(dict(form))
    if values is None:
        return _form_page(request, event=None, values=shown, errors=errors, status_code=422)
    try:
        with session.begin_nested():
            event = service.create_event(session, actor=user, values=values)
    except FieldError as exc:
        return _form_page(request, event=None, values=shown, errors=exc.by_field(), status_code=422)
    flash(request, gettext("The event has been published."))
    return redirect(f"/events/{event.id}")


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    event_id: int, request: Request, user: OptionalUser, session: SessionDep
) -> Response:
    event = service.visible_event(session, user, event_id)
    counts = service.seat_counts(session, [event_id])[event_id]
    mine = None
    position = None
    if user is not None:
        found = service.registrations_of_user(session, user, event_ids=[event_id])
        mine = found[0] if found else None
        position = service.waitlist_position(session, mine) if mine else None
    return render_page(
        request,
        "events/event.html",
        {
            "event": event,
            "counts": counts,
            "seats_left": service.seats_left(event, counts),
            "mine": mine,
            "position": position,
            "actions": policies.event_actions(user, event, mine, now=utcnow()),
        },
    )


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
def edit_event_page(
    event_id: int, request: Request, user: StaffUser, session: SessionDep
) -> Response:
    event = service.get_event(session, event_id)
    return _form_page(request, event=event, values=_values_of(event), errors={})


@router.post("/events/{event_id}/edit")
def update_event(
    event_id: int, request: Request, form: FormData, user: StaffUser, session: SessionDep
) -> Response:
    event = service.get_event(session, event_id)
    values, shown, errors = _read_form(dict(form), event=event)
    if values is None:
        return _form_page(request, event=event, values=shown, errors=errors, status_code=422)
    try:
        with session.begin_nested():
            service.update_event(session, actor=user, event_id=event_id, values=values)
    except FieldError as exc:
        return _form_page(
            request, event=event, values=shown, errors=exc.by_field(), status_code=422
        )
    except Conflict as exc:  # a capacity below the seats taken, shown beside its field
        return _form_page(
            request, event=event, values=shown, errors={"capacity": exc.detail}, status_code=409
        )
    flash(request, gettext("The event has been saved."))
    return redirect(f"/events/{event_id}")


@router.post("/events/{event_id}/register")
def register(event_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.visible_event(session, user, event_id)
    back = _back(request, event_id)
    return form_action(
        request,
        session,
        back,
        lambda: service.register(session, actor=user, event_id=event_id),
        lambda registration: _registered_message(session, registration),
    )


@router.post("/events/{event_id}/unregister")
def unregister(event_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.visible_event(session, user, event_id)
    return form_action(
        request,
        session,
        _back(request, event_id),
        lambda: service.cancel_mine(session, actor=user, event_id=event_id),
        gettext("Your place has been given up."),
    )


def _back(request: Request, event_id: int) -> str:
    """Back to the list (the same page of it) when the button was pressed there, else to the
    event's page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc in ("", request.url.netloc) and referer.path == "/events":
        return "/events" + (f"?{referer.query}" if referer.query else "")
    return f"/events/{event_id}"


@router.get("/events/{event_id}/participants", response_class=HTMLResponse)
def participants_page(
    event_id: int, request: Request, user: StaffUser, session: SessionDep
) -> Response:
    event = service.get_event(session, event_id)
    rows = service.participants(session, event_id)
    now = utcnow()
    return render_page(
        request,
        "events/participants.html",
        {
            "event": event,
            "participants": rows,
            "positions": service.waitlist_positions(rows),
            "counts": service.seat_counts(session, [event_id])[event_id],
            "markable": {
                r.id for r in rows if policies.can_mark_attendance(user, event, r, now=now)
            },
            "started": policies.has_started(event, now),
        },
    )


@router.post("/events/{event_id}/attendance")
def attendance(
    event_id: int, request: Request, form: FormData, user: StaffUser, session: SessionDep
) -> Response:
    service.get_event(session, event_id)
    target = f"/events/{event_id}/participants"
    try:
        user_id = int(str(form.get("user_id", "")))
    except ValueError:
        flash(request, gettext("This value is not valid."), "error")
        return redirect(target)
    attended = form.get("attended") == "yes"
    return form_action(
        request,
        session,
        target,
        lambda: service.mark_attendance(
            session, actor=user, event_id=event_id, user_id=user_id, attended=attended
        ),
        gettext("Attendance saved."),
    )
