"""HTML pages of training (catalogue, session page with the staff's enrolment list and
attendance sheet, my trainings, course management) and the personal calendar feed."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field

from app.accounts.models import Role
from app.db import utcnow
from app.deps import CurrentUser, OptionalUser, SessionDep, StaffUser
from app.errors import DomainError, FieldError, NotFound
from app.i18n import N_, get_timezone, gettext
from app.schemas import Input
from app.training import calendar, policies, service
from app.training.models import CompletionRule, EnrolmentStatus
from app.training.schemas import CourseIn, OnlineUrl
from app.web import FormData, Pagination, flash, parse_form, redirect, register_nav, render_page

router = APIRouter(include_in_schema=False)

register_nav("/sessions", N_("Training"), order=30, public=True)
register_nav("/trainings/mine", N_("My trainings"), order=31)
register_nav("/courses", N_("Courses"), order=32, roles=(Role.staff, Role.admin))

PAGE_SIZE = 50
PAST_PAGE_SIZE = 20


class SessionForm(Input):
    """Times as typed in a browser (no zone): read in the user's time zone."""

    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=100_000)
    location: str | None = Field(default=None, max_length=300)
    online_url: OnlineUrl | None = None
    company_cap: int | None = Field(default=None, ge=1, le=100_000)


class CourseForm(CourseIn):
    language: Literal["ru", "en"] = "ru"


def _checkbox(form: dict[str, Any], name: str) -> bool:
    return form.get(name) in ("on", "true", "1")


@router.get("/sessions", response_class=HTMLResponse)
def catalogue(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    rows, total = service.list_sessions(session, upcoming=True, limit=PAGE_SIZE, offset=offset)
    counts = service.seat_counts(session, [s.id for s in rows])
    mine = (
        {
            e.session_id: e
            for e in service.enrolments_of_user(session, user, session_ids=[s.id for s in rows])
        }
        if user
        else {}
    )
    return render_page(
        request,
        "training/catalogue.html",
        {
            "sessions": rows,
            "counts": counts,
            "mine": mine,
            "pagination": Pagination(total, PAGE_SIZE, offset),
        },
    )


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    session_id: int, request: Request, user: OptionalUser, session: SessionDep
) -> Response:
    training_session = service.get_session(session, session_id)
    staff = policies.can_manage_training(user)
    mine = None
    colleagues = []
    positions: dict[int, int] = {}
    if user is None:
        roster = []
        counts = service.seat_counts(session, [session_id])[session_id]
    else:
        # The whole roster in one query: the seat counts, the caller's place, whose colleagues
        # already hold a place and the waitlist positions all come from it.
        roster = service.enrolments_of_session(session, session_id)
        active = [e for e in roster if e.status in service.ACTIVE]
        counts = service.SeatCounts(
            sum(e.status == EnrolmentStatus.enrolled for e in active),
            sum(e.status == EnrolmentStatus.waitlisted for e in active),
        )
        mine = next((e for e in active if e.user_id == user.id), None)
        positions = service.roster_waitlist_positions(roster)
        taken = {e.user_id for e in active}
        colleagues = [c for c in policies.enrollable_colleagues(session, user) if c.id not in taken]
    return render_page(
        request,
        "training/session.html",
        {
            "ts": training_session,
            "course": training_session.course,
            "counts": counts,
            "mine": mine,
            "position": positions.get(mine.id) if mine else None,
            "is_staff": staff,
            "enrolments": roster if staff else [],
            "colleagues": colleagues,
            "positions": positions,
            "started": training_session.starts_at <= utcnow(),
        },
    )


@router.post("/sessions/{session_id}/enrol")
def enrol(session_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.get_session(session, session_id)
    target = f"/sessions/{session_id}"
    try:
        with session.begin_nested():
            enrolment = service.enrol(session, actor=user, session_id=session_id)
    except DomainError as exc:
        flash(request, exc.detail, "error")
        return redirect(target)
    if enrolment.status == EnrolmentStatus.enrolled:
        flash(request, gettext("You are enrolled."))
    else:
        flash(
            request,
            gettext(
                "The session is full: you are number %(position)s on the waitlist.",
                position=service.waitlist_position(session, enrolment),
            ),
        )
    return redirect(target)


@router.post("/sessions/{session_id}/enrol-colleague")
def enrol_colleague(
    session_id: int, request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    """An organisation owner takes a seat (or a waitlist place) for a colleague."""
    service.get_session(session, session_id)
    target = f"/sessions/{session_id}"
    try:
        colleague_id = int(str(form.get("user_id", "")))
    except ValueError:
        flash(request, gettext("Choose a colleague."), "error")
        return redirect(target)
    try:
        with session.begin_nested():
            enrolment = service.enrol(
                session, actor=user, session_id=session_id, user_id=colleague_id
            )
    except DomainError as exc:
        flash(request, exc.detail, "error")
        return redirect(target)
    name = enrolment.user.full_name
    if enrolment.status == EnrolmentStatus.enrolled:
        flash(request, gettext("%(name)s is enrolled.", name=name))
    else:
        flash(
            request,
            gettext(
                "The session is full: %(name)s is number %(position)s on the waitlist.",
                name=name,
                position=service.waitlist_position(session, enrolment),
            ),
        )
    return redirect(target)


@router.post("/sessions/{session_id}/cancel")
def cancel(session_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.get_session(session, session_id)
    try:
        with session.begin_nested():
            service.cancel_mine(session, actor=user, session_id=session_id)
    except DomainError as exc:
        flash(request, exc.detail, "error")
        return redirect(f"/sessions/{session_id}")
    flash(request, gettext("Your place has been given up."))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/attendance")
def attendance(
    session_id: int, request: Request, form: FormData, user: StaffUser, session: SessionDep
) -> Response:
    service.get_session(session, session_id)
    try:
        user_id = int(str(form.get("user_id", "")))
    except ValueError:
        flash(request, gettext("This value is not valid."), "error")
        return redirect(f"/sessions/{session_id}")
    attended = form.get("attended") == "yes"
    try:
        with session.begin_nested():
            _enrolment, certificate = service.mark_attendance(
                session, actor=user, session_id=session_id, user_id=user_id, attended=attended
            )
    except DomainError as exc:
        flash(request, exc.detail, "error")
        return redirect(f"/sessions/{session_id}")
    message = gettext("Attendance saved.")
    if certificate is not None:
        message += " " + gettext("Certificate %(number)s issued.", number=certificate.number)
    flash(request, message)
    return redirect(f"/sessions/{session_id}#attendance")


@router.get("/sessions/{session_id}/enrolments.csv")
def enrolments_csv(session_id: int, user: StaffUser, session: SessionDep) -> Response:
    training_session = service.get_session(session, session_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            gettext("Full name"),
            gettext("Email"),
            gettext("Status"),
            gettext("Seat"),
            gettext("Waitlist position"),
            gettext("Attended"),
            gettext("Enrolled at"),
        ]
    )
    roster = service.enrolments_of_session(session, session_id)
    positions = service.roster_waitlist_positions(roster)
    for enrolment in roster:
        writer.writerow(
            [
                _csv_safe(enrolment.user.full_name),
                _csv_safe(enrolment.user.email),
                enrolment.status.label,
                enrolment.seat_number or "",
                positions.get(enrolment.id, ""),
                ""
                if enrolment.attended is None
                else (gettext("yes") if enrolment.attended else gettext("no")),
                enrolment.created_at.astimezone(get_timezone()).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    filename = f"session-{training_session.id}-enrolments.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote them as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@router.get("/trainings/mine", response_class=HTMLResponse)
def my_trainings(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    mine = service.my_trainings(session, user, limit=PAST_PAGE_SIZE, offset=offset)
    return render_page(
        request,
        "training/mine.html",
        {
            "upcoming": mine.upcoming,
            "past": mine.past,
            "pagination": Pagination(mine.past_total, PAST_PAGE_SIZE, offset),
            "positions": service.waitlist_positions(session, mine.upcoming),
            "certificates": service.certificates_of_user(session, user.id),
            "feed_enabled": user.calendar_token_hash is not None,
        },
    )


@router.post("/trainings/calendar-feed")
def issue_feed(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    token = calendar.issue_feed_token(session, actor=user)
    flash(
        request,
        gettext("Your calendar address (keep it secret): %(url)s", url=calendar.feed_url(token)),
        "info",
    )
    return redirect("/trainings/mine")


@router.post("/trainings/calendar-feed/revoke")
def revoke_feed(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    calendar.revoke_feed_token(session, actor=user)
    flash(request, gettext("The calendar address no longer works."))
    return redirect("/trainings/mine")


@router.get("/courses", response_class=HTMLResponse)
def courses_page(
    request: Request,
    user: StaffUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    rows, total = service.list_courses(session, limit=PAGE_SIZE, offset=offset)
    return render_page(
        request,
        "training/courses.html",
        {
            "courses": rows,
            "pagination": Pagination(total, PAGE_SIZE, offset),
            "errors": {},
            "values": {},
            "rules": CompletionRule.choices(),
        },
    )


@router.post("/courses")
def create_course(
    request: Request, form: FormData, user: StaffUser, session: SessionDep
) -> Response:
    form = {key: value for key, value in form.items() if value != ""}
    for name in ("members_only", "investor_readiness"):
        form[name] = _checkbox(form, name)
    parsed, errors = parse_form(CourseForm, form)
    if parsed is None:
        rows, total = service.list_courses(session, limit=PAGE_SIZE, offset=0)
        return render_page(
            request,
            "training/courses.html",
            {
                "courses": rows,
                "pagination": Pagination(total, PAGE_SIZE, 0),
                "errors": {
                    **errors,
                    **({"min_sessions": errors["__all__"]} if "__all__" in errors else {}),
                },
                "values": form,
                "rules": CompletionRule.choices(),
            },
            status_code=422,
        )
    course = service.create_course(session, actor=user, values=parsed.model_dump())
    flash(request, gettext("The course has been created."))
    return redirect(f"/courses/{course.id}")


@router.get("/courses/{course_id}", response_class=HTMLResponse)
def course_page(course_id: int, request: Request, user: StaffUser, session: SessionDep) -> Response:
    course = service.get_course(session, course_id)
    return _course_page(request, session, course, {}, {})


def _course_page(
    request: Request,
    session: Any,
    course: Any,
    errors: dict[str, str],
    values: dict[str, Any],
    status_code: int = 200,
) -> Response:
    sessions = list(course.sessions)
    return render_page(
        request,
        "training/course.html",
        {
            "course": course,
            "sessions": sessions,
            "counts": service.seat_counts(session, [s.id for s in sessions]),
            "errors": errors,
            "values": values,
        },
        status_code=status_code,
    )


@router.post("/courses/{course_id}/sessions")
def create_session(
    course_id: int, request: Request, form: FormData, user: StaffUser, session: SessionDep
) -> Response:
    course = service.get_course(session, course_id)
    parsed, errors = parse_form(SessionForm, form)
    if parsed is None:
        return _course_page(request, session, course, errors, form, 422)
    zone = get_timezone()
    values = parsed.model_dump()
    for key in ("starts_at", "ends_at"):
        moment = values[key]
        values[key] = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    try:
        with session.begin_nested():
            training_session = service.create_session(
                session, actor=user, course_id=course_id, values=values
            )
    except FieldError as exc:
        return _course_page(request, session, course, {exc.field: exc.detail}, form, 422)
    flash(request, gettext("The session has been added."))
    return redirect(f"/sessions/{training_session.id}")


@router.get("/calendar/{token}.ics")
def personal_calendar(token: str, session: SessionDep) -> Response:
    """The user's sessions (and other providers' events) behind a secret, revocable URL."""
    user = calendar.user_for_feed_token(session, token)
    if user is None:
        raise NotFound(gettext("This calendar link is not valid."))
    body = calendar.build_calendar(
        calendar.personal_events(session, user), name=gettext("Cluster Portal")
    )
    return Response(body, media_type="text/calendar; charset=utf-8")
