"""HTML pages of pitch days: the list, the staff's form, one day (registration, wishes, the
slots × tables grid with locks, the scheduler's report, publication), one participant's agenda
and the printable table sheets. What each person may do comes from `policies`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.deps import OptionalUser
from app.accounts.models import Organisation, User
from app.bilingual import form_values, original_locale, translations_from_form
from app.deps import SessionDep
from app.errors import DomainError, FieldError, NotFound
from app.formatting import format_time
from app.i18n import get_locale, get_timezone, gettext, is_valid_timezone, use_locale
from app.meetings import people, pitch_days, pitch_participation, policies
from app.meetings.deps import PitchDayManager
from app.meetings.models import PitchDay, PitchDayStage, PitchParticipant, PitchWish
from app.meetings.schemas import PitchDayForm
from app.web import (
    FormData,
    flash,
    form_action,
    login_redirect,
    parse_form,
    redirect,
    render_page,
)

router = APIRouter(include_in_schema=False)


LOCAL_INPUT = "%Y-%m-%dT%H:%M"
UPCOMING_STAGES = (PitchDayStage.registration, PitchDayStage.preparation, PitchDayStage.published)


def _slot_times(day: PitchDay, *, venue_clock: bool = False) -> list[tuple[str, str]]:
    """Each slot's start and end on the viewer's clock, the end labelled with the viewer's zone
    when the venue keeps another; the printed sheets, read at the venue, use its clock."""
    slots = range(len(day.slot_starts))
    if venue_clock:
        with use_locale(get_locale(), day.timezone):
            return [(format_time(day.slot_start(n)), format_time(day.slot_end(n))) for n in slots]
    return [
        (format_time(day.slot_start(n)), format_time(day.slot_end(n), zone=day.timezone))
        for n in slots
    ]


# --- the list --------------------------------------------------------------------------------


@router.get("/pitch-days", response_class=HTMLResponse)
def pitch_days_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    upcoming, past = pitch_days.list_pitch_days(session, actor=user)
    mine = {i for row in upcoming + past for i in row.mine}
    stages = {row.day.id: row.day.stage() for row in upcoming + past}
    groups = [
        (stage, [row for row in upcoming if stages[row.day.id] == stage])
        for stage in UPCOMING_STAGES
    ]
    return render_page(
        request,
        "meetings/pitch_days.html",
        {
            "groups": [(stage, rows) for stage, rows in groups if rows],
            "stages": stages,
            "past": past,
            "names": people.organisation_names(session, mine),
            "can_create": policies.can_manage_pitch_days(user),
            "times": {row.day.id: _slot_times(row.day) for row in upcoming + past},
        },
    )


# --- the staff's form ------------------------------------------------------------------------


def _form_page(
    request: Request,
    day: PitchDay | None,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    change_grid: bool = True,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "meetings/pitch_day_form.html",
        {"day": day, "values": values, "errors": errors, "change_grid": change_grid},
        status_code=status_code,
    )


def _grid_values(day: PitchDay) -> dict[str, str]:
    """The form's grid fields for an existing day (a regular grid from its first slot)."""
    starts = [datetime.strptime(s, "%H:%M") for s in day.slot_starts]
    gap = int((starts[1] - starts[0]).total_seconds() // 60) if len(starts) > 1 else 0
    return {
        "date": day.date.isoformat(),
        "first_slot": day.slot_starts[0],
        "slot_count": str(len(starts)),
        "slot_minutes": str(day.slot_minutes),
        "break_minutes": str(max(gap - day.slot_minutes, 0)),
        "tables": str(day.tables),
    }


def _day_values(day: PitchDay) -> dict[str, str]:
    closes = day.registration_closes_at
    return {
        "name": day.name,
        "venue": day.venue,
        "timezone": day.timezone,
        "registration_closes_at": (
            closes.astimezone(ZoneInfo(day.timezone)).strftime(LOCAL_INPUT) if closes else ""
        ),
        **_grid_values(day),
        **form_values(day),
    }


def _service_values(form: PitchDayForm, day: PitchDay | None) -> dict[str, Any]:
    """What the services take, from the form: the slot starts of a regular grid (or the day's
    own, when its grid fields were left as they were) and the deadline in the venue's zone."""
    if not is_valid_timezone(form.timezone):
        raise FieldError("timezone", gettext("Unknown time zone."))
    step = timedelta(minutes=form.slot_minutes + form.break_minutes)
    first = datetime.combine(form.date, form.first_slot)
    last_end = first + step * (form.slot_count - 1) + timedelta(minutes=form.slot_minutes)
    if last_end.date() != form.date and last_end.time() != time(0):
        raise FieldError("slot_count", gettext("The last slot must end by midnight."))
    submitted = {
        key: str(value)
        for key, value in form.model_dump().items()
        if key in ("slot_count", "slot_minutes", "break_minutes", "tables")
    }
    submitted |= {"date": form.date.isoformat(), "first_slot": form.first_slot.strftime("%H:%M")}
    if day is not None and submitted == _grid_values(day):
        starts = [datetime.strptime(s, "%H:%M").time() for s in day.slot_starts]
    else:
        starts = [(first + step * n).time() for n in range(form.slot_count)]
    closes = form.registration_closes_at
    if closes is not None and closes.tzinfo is None:
        closes = closes.replace(tzinfo=ZoneInfo(form.timezone))
    return {
        "name": form.name,
        "venue": form.venue,
        "timezone": form.timezone,
        "date": form.date,
        "slot_starts": starts,
        "slot_minutes": form.slot_minutes,
        "tables": form.tables,
        "registration_closes_at": closes,
        "translations": form.translations,
    }


def _save(
    request: Request,
    session: Session,
    user: User,
    day: PitchDay | None,
    form: dict[str, Any],
) -> Response:
    """Create or update from the form; a refused form comes back with every error and what
    was typed."""
    change_grid = day is None or policies.can_change_pitch_day_grid(user, day)
    if day is not None and not change_grid:
        form = {**form, **_grid_values(day)}  # the grid fields are not in a published day's form
    form = {
        **form,
        "translations": translations_from_form(
            form, source=original_locale(day), fields=PitchDay.__translatable__
        ),
    }
    parsed, errors = parse_form(PitchDayForm, form)
    if parsed is None:
        return _form_page(request, day, form, errors, change_grid=change_grid, status_code=422)
    try:
        with session.begin_nested():
            values = _service_values(parsed, day)
            if day is None:
                saved = pitch_days.create_pitch_day(session, actor=user, values=values)
            else:
                saved = pitch_days.update_pitch_day(
                    session, actor=user, pitch_day_id=day.id, values=values
                )
    except FieldError as error:
        field = {"slot_starts": "first_slot"}.get(error.field, error.field)
        return _form_page(
            request, day, form, {field: error.detail}, change_grid=change_grid, status_code=422
        )
    except DomainError as error:
        return _form_page(
            request,
            day,
            form,
            {"__all__": error.detail},
            change_grid=change_grid,
            status_code=error.status_code,
        )
    flash(request, gettext("The pitch day is saved."))
    return redirect(f"/pitch-days/{saved.id}")


@router.get("/pitch-days/new", response_class=HTMLResponse)
def new_pitch_day_page(request: Request, user: PitchDayManager) -> Response:
    values = {
        "timezone": get_timezone().key,
        "first_slot": "10:00",
        "slot_count": "6",
        "slot_minutes": "20",
        "break_minutes": "10",
        "tables": "4",
    }
    return _form_page(request, None, values, {})


@router.post("/pitch-days/new")
def create_pitch_day_page(
    request: Request, session: SessionDep, user: PitchDayManager, form: FormData
) -> Response:
    return _save(request, session, user, None, form)


@router.get("/pitch-days/{pitch_day_id}/edit", response_class=HTMLResponse)
def edit_pitch_day_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: PitchDayManager
) -> Response:
    day = pitch_days.managed_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    return _form_page(
        request,
        day,
        _day_values(day),
        {},
        change_grid=policies.can_change_pitch_day_grid(user, day),
    )


@router.post("/pitch-days/{pitch_day_id}/edit")
def update_pitch_day_page(
    pitch_day_id: int,
    request: Request,
    session: SessionDep,
    user: PitchDayManager,
    form: FormData,
) -> Response:
    day = pitch_days.managed_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    return _save(request, session, user, day, form)


# --- one day -----------------------------------------------------------------------------------


def _unplaced_reason(item: dict[str, Any], names: dict[int, str], day: PitchDay) -> str:
    """Why the scheduler left a wish out, in words (codes of `scheduler.UnplacedReason`)."""
    reason, who, slot = item.get("reason"), item.get("participant"), item.get("slot")
    name = names.get(who, "") if isinstance(who, int) else ""
    if reason == "no_common_slot":
        return gettext("The two have no free slot in common.")
    if reason == "participant_busy":
        return gettext("%(name)s has other meetings in every slot the two share.", name=name)
    if reason == "slot_full" and isinstance(slot, int) and slot < len(day.slot_starts):
        return gettext(
            "Every table is taken at %(time)s.",
            time=format_time(day.slot_start(slot), zone=day.timezone),
        )
    if reason == "unknown_participant":
        return gettext("%(name)s is not registered for the day.", name=name)
    if reason == "no_thanks":
        return gettext("One side would rather not meet.")
    return gettext("Left out so that more valuable meetings fit.")


def _day_page(
    request: Request,
    session: Session,
    user: User,
    day: PitchDay,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    actions = policies.pitch_day_actions(session, user, day)
    participants = list(
        session.scalars(
            select(PitchParticipant)
            .where(PitchParticipant.pitch_day_id == day.id)
            .order_by(PitchParticipant.id)
        )
    )
    meetings = pitch_days.pitch_meetings(session, day.id) if actions.see_schedule else []
    wish_lists = pitch_participation.wishes_of(session, day.id, list(actions.agendas))
    wish_counts: dict[int, int] = {}
    if actions.manage:
        wish_counts = dict(
            session.execute(
                select(PitchWish.organisation_id, func.count())
                .where(PitchWish.pitch_day_id == day.id, PitchWish.no_thanks.is_(False))
                .group_by(PitchWish.organisation_id)
            ).all()
        )
    report = day.schedule_report if actions.manage else None
    ids = {p.organisation_id for p in participants} | set(actions.register)
    kinds = {
        row.id: row.kind
        for row in session.execute(
            select(Organisation.id, Organisation.kind).where(Organisation.id.in_(ids))
        )
    }
    ids |= {o for m in meetings for o in (m.first_organisation_id, m.second_organisation_id)}
    names = people.organisation_names(
        session, ids | {o for item in (report or {}).get("unplaced", []) for o in _pair(item)}
    )
    by_name = sorted(
        (p.organisation_id for p in participants), key=lambda o: (names[o].casefold(), o)
    )
    candidates = {
        org: [
            other
            for other in by_name
            if other != org
            and other not in {w.with_organisation_id for w in lists.wanted + lists.refused}
        ]
        for org, lists in wish_lists.items()
    }
    zone = get_timezone().key
    return render_page(
        request,
        "meetings/pitch_day.html",
        {
            "day": day,
            "stage": day.stage(),
            "date": day.date,
            "deadline": day.registration_deadline(),
            "actions": actions,
            "participants": participants,
            "participant_of": {p.organisation_id: p for p in participants},
            "kinds": kinds,
            "names": names,
            "grid": {(m.slot, m.table_number): m for m in meetings},
            "meetings": meetings,
            "locked_count": sum(1 for m in meetings if m.locked),
            "tables": range(1, day.tables + 1),
            "times": _slot_times(day),
            "other_zone": day.timezone != zone,
            "wish_lists": wish_lists,
            "candidates": candidates,
            "wish_counts": wish_counts,
            "report": report,
            "report_at": datetime.fromisoformat(report["at"]) if report else None,
            "reasons": [
                (item, _unplaced_reason(item, names, day))
                for item in (report or {}).get("unplaced", [])
            ],
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


def _pair(item: dict[str, Any]) -> tuple[int, ...]:
    return tuple(
        item[key]
        for key in ("organisation_id", "with_organisation_id")
        if isinstance(item.get(key), int)
    )


@router.get("/pitch-days/{pitch_day_id}", response_class=HTMLResponse)
def pitch_day_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _day_page(request, session, user, pitch_days.get_pitch_day(session, pitch_day_id))


def _ints(value: Any) -> list[int] | None:
    """Whole numbers from a form field that holds one value or several; None if any is not."""
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    try:
        return [int(item) for item in items]
    except (TypeError, ValueError):
        return None


@router.post("/pitch-days/{pitch_day_id}/participants")
def register_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Register one of the caller's organisations with the slots ticked; a refused form comes
    back with the choice kept."""
    if user is None:
        return login_redirect(request)
    day = pitch_days.get_pitch_day(session, pitch_day_id)
    target = f"/pitch-days/{day.id}"
    organisation = _ints(form.get("organisation_id"))
    slots = _ints(form.get("slots"))
    if not organisation or len(organisation) != 1:
        flash(request, gettext("Choose the organisation to register."), "error")
        return redirect(target)
    values = {"organisation_id": organisation[0], "slots": slots or []}
    try:
        with session.begin_nested():
            pitch_participation.register_participant(
                session,
                actor=user,
                pitch_day_id=day.id,
                organisation_id=organisation[0],
                slots=[] if slots is None else slots,
            )
    except FieldError as error:
        return _day_page(
            request,
            session,
            user,
            day,
            errors={"slots": error.detail},
            values=values,
            status_code=422,
        )
    except DomainError as error:
        flash(request, error.detail, "error")
        return redirect(target)
    flash(request, gettext("The organisation is registered. Now choose whom it wants to meet."))
    return redirect(f"{target}#wishes")


@router.post("/pitch-days/{pitch_day_id}/participants/{organisation_id}/withdraw")
def withdraw_page(
    pitch_day_id: int,
    organisation_id: int,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
) -> Response:
    if user is None:
        return login_redirect(request)
    return form_action(
        request,
        session,
        f"/pitch-days/{pitch_day_id}",
        lambda: pitch_participation.withdraw_participant(
            session, actor=user, pitch_day_id=pitch_day_id, organisation_id=organisation_id
        ),
        gettext("The registration is cancelled."),
    )


@router.post("/pitch-days/{pitch_day_id}/wishes")
def add_wish_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    organisation = _ints(form.get("organisation_id"))
    other = _ints(form.get("with_organisation_id"))
    target = f"/pitch-days/{pitch_day_id}"
    if not other or len(other) != 1 or (organisation is not None and len(organisation) > 1):
        flash(request, gettext("Choose whom you want to meet."), "error")
        return redirect(target)
    mine = organisation[0] if organisation else None
    return form_action(
        request,
        session,
        f"{target}#wishes",
        lambda: pitch_participation.add_wish(
            session,
            actor=user,
            pitch_day_id=pitch_day_id,
            organisation_id=mine,
            with_organisation_id=other[0],
            priority=None,
            no_thanks=False,
        ),
        gettext("The wish is added to the end of your list."),
    )


@router.post("/pitch-days/{pitch_day_id}/wishes/{wish_id}/move")
def move_wish_page(
    pitch_day_id: int,
    wish_id: int,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    form: FormData,
) -> Response:
    if user is None:
        return login_redirect(request)
    step = {"up": -1, "down": 1}.get(str(form.get("direction")))
    if step is None:
        flash(request, gettext("Choose one of the options."), "error")
        return redirect(f"/pitch-days/{pitch_day_id}")

    return form_action(
        request,
        session,
        f"/pitch-days/{pitch_day_id}#wishes",
        lambda: pitch_participation.move_wish(
            session, actor=user, pitch_day_id=pitch_day_id, wish_id=wish_id, step=step
        ),
        gettext("The order is saved."),
    )


@router.post("/pitch-days/{pitch_day_id}/wishes/{wish_id}/remove")
def remove_wish_page(
    pitch_day_id: int, wish_id: int, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return form_action(
        request,
        session,
        f"/pitch-days/{pitch_day_id}#wishes",
        lambda: pitch_participation.remove_wish(
            session, actor=user, pitch_day_id=pitch_day_id, wish_id=wish_id
        ),
        gettext("The wish is removed."),
    )


# --- the staff's work on the schedule ---------------------------------------------------------


@router.post("/pitch-days/{pitch_day_id}/schedule")
def schedule_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: PitchDayManager
) -> Response:
    result = pitch_days.schedule_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    flash(
        request,
        gettext(
            "Placed %(placed)s of at most %(bound)s meetings.",
            placed=result.placed,
            bound=result.upper_bound,
        ),
    )
    return redirect(f"/pitch-days/{pitch_day_id}#schedule")


@router.post("/pitch-days/{pitch_day_id}/meetings/{meeting_id}/lock")
def lock_page(
    pitch_day_id: int,
    meeting_id: int,
    request: Request,
    session: SessionDep,
    user: PitchDayManager,
    form: FormData,
) -> Response:
    locked = str(form.get("locked", "")).lower() in ("1", "true", "on", "yes")
    return form_action(
        request,
        session,
        f"/pitch-days/{pitch_day_id}#schedule",
        lambda: pitch_days.set_lock(
            session, actor=user, pitch_day_id=pitch_day_id, meeting_id=meeting_id, locked=locked
        ),
        gettext("The meeting is locked: a new run keeps it.")
        if locked
        else gettext("The meeting is unlocked: a new run may move it."),
    )


@router.post("/pitch-days/{pitch_day_id}/unlock-all")
def unlock_all_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: PitchDayManager
) -> Response:
    return form_action(
        request,
        session,
        f"/pitch-days/{pitch_day_id}#schedule",
        lambda: pitch_days.unlock_all(session, actor=user, pitch_day_id=pitch_day_id),
        gettext("Every meeting is unlocked."),
    )


@router.post("/pitch-days/{pitch_day_id}/publish")
def publish_page(
    pitch_day_id: int, request: Request, session: SessionDep, user: PitchDayManager
) -> Response:
    pitch_days.publish_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    flash(request, gettext("The schedule is published: participants now see their agendas."))
    return redirect(f"/pitch-days/{pitch_day_id}")


# --- printable pages -----------------------------------------------------------------------------


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
    day, meetings = pitch_days.participant_agenda(
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
            "date": day.date,
            "organisation_id": organisation_id,
            "names": people.organisation_names(session, ids | {organisation_id}),
            "rows": rows,
            "visible": policies.can_see_schedule(session, user, day),
            "times": _slot_times(day, venue_clock=True),
        },
    )


@router.get("/pitch-days/{pitch_day_id}/tables", response_class=HTMLResponse)
def table_sheets_page(
    pitch_day_id: int,
    request: Request,
    session: SessionDep,
    user: PitchDayManager,
    table: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> Response:
    """Printable sheets, one page per table (or only `?table=N`): who sits there in each slot."""
    day = pitch_days.managed_pitch_day(session, actor=user, pitch_day_id=pitch_day_id)
    if table is not None and table > day.tables:
        raise NotFound(gettext("Table not found."))
    meetings = pitch_days.pitch_meetings(session, day.id)
    numbers = [table] if table is not None else list(range(1, day.tables + 1))
    sheets = [(n, {m.slot: m for m in meetings if m.table_number == n}) for n in numbers]
    ids = {i for m in meetings for i in (m.first_organisation_id, m.second_organisation_id)}
    return render_page(
        request,
        "meetings/table_sheets.html",
        {
            "day": day,
            "date": day.date,
            "sheets": sheets,
            "names": people.organisation_names(session, ids),
            "times": _slot_times(day, venue_clock=True),
        },
    )
