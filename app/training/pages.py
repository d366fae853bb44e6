"""HTML pages of training (catalogue, session page with the staff's enrolment list and
attendance sheet, my trainings and certificates, course management)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field

from app import bilingual
from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.db import utcnow
from app.deps import SessionDep
from app.errors import FieldError
from app.i18n import get_timezone, gettext
from app.pagination import Pagination, Paging, page_paging
from app.schemas import Input
from app.spreadsheets import text_cell
from app.templating import absolute_url
from app.training import calendar, certificates, policies, service
from app.training.models import CompletionRule, Course, Enrolment
from app.training.schemas import CourseIn, OnlineUrl
from app.verification import qr_svg
from app.web import FormData, flash, form_action, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)


PAGE_SIZE = 50
ListPaging = Annotated[Paging, page_paging(PAGE_SIZE)]
PastPaging = Annotated[Paging, page_paging(20)]


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
    paging: ListPaging,
) -> Response:
    rows, total = service.list_sessions(session, upcoming=True, paging=paging)
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
            "pagination": Pagination.of(paging, total),
        },
    )


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(
    session_id: int, request: Request, user: OptionalUser, session: SessionDep
) -> Response:
    training_session = service.get_session(session, session_id)
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
        active = [e for e in roster if e.is_active]
        counts = service.SeatCounts(
            sum(e.holds_seat for e in active), sum(not e.holds_seat for e in active)
        )
        mine = next((e for e in active if e.user_id == user.id), None)
        positions = service.roster_waitlist_positions(roster)
        taken = {e.user_id for e in active}
        colleagues = [c for c in policies.enrollable_colleagues(session, user) if c.id not in taken]
    now = utcnow()
    actions = policies.session_actions(
        user, training_session, mine, has_colleagues=bool(colleagues), now=now
    )
    markable = {
        e.id for e in roster if policies.can_mark_attendance(user, training_session, e, now=now)
    }
    return render_page(
        request,
        "training/session.html",
        {
            "ts": training_session,
            "course": training_session.course,
            "counts": counts,
            "mine": mine,
            "position": positions.get(mine.id) if mine else None,
            "actions": actions,
            "enrolments": roster if actions.manage else [],
            "markable": markable,
            "colleagues": colleagues,
            "positions": positions,
            "started": policies.has_started(training_session, now),
        },
    )


@router.post("/sessions/{session_id}/enrol")
def enrol(session_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.get_session(session, session_id)

    def enrolled(enrolment: Enrolment) -> str:
        if enrolment.holds_seat:
            return gettext("You are enrolled.")
        return gettext(
            "The session is full: you are number %(position)s on the waitlist.",
            position=service.waitlist_position(session, enrolment),
        )

    return form_action(
        request,
        session,
        f"/sessions/{session_id}",
        lambda: service.enrol(session, actor=user, session_id=session_id),
        enrolled,
    )


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

    def enrolled(enrolment: Enrolment) -> str:
        name = enrolment.user.full_name
        if enrolment.holds_seat:
            return gettext("%(name)s is enrolled.", name=name)
        return gettext(
            "The session is full: %(name)s is number %(position)s on the waitlist.",
            name=name,
            position=service.waitlist_position(session, enrolment),
        )

    return form_action(
        request,
        session,
        target,
        lambda: service.enrol(session, actor=user, session_id=session_id, user_id=colleague_id),
        enrolled,
    )


@router.post("/sessions/{session_id}/cancel")
def cancel(session_id: int, request: Request, user: CurrentUser, session: SessionDep) -> Response:
    service.get_session(session, session_id)
    return form_action(
        request,
        session,
        f"/sessions/{session_id}",
        lambda: service.cancel_mine(session, actor=user, session_id=session_id),
        gettext("Your place has been given up."),
    )


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
    return form_action(
        request,
        session,
        f"/sessions/{session_id}#attendance",
        lambda: certificates.mark_attendance(
            session, actor=user, session_id=session_id, user_id=user_id, attended=attended
        ),
        _attendance_saved,
        refused_target=f"/sessions/{session_id}",
    )


def _attendance_saved(marked: certificates.AttendanceMarked) -> str:
    message = gettext("Attendance saved.")
    if marked.certificate is None or marked.change is None:
        return message
    number = marked.certificate.number
    change = {
        certificates.CertificateChange.issued: gettext(
            "Certificate %(number)s issued.", number=number
        ),
        certificates.CertificateChange.reinstated: gettext(
            "Certificate %(number)s is valid again.", number=number
        ),
        certificates.CertificateChange.revoked: gettext(
            "Certificate %(number)s revoked.", number=number
        ),
    }[marked.change]
    return f"{message} {change}"


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
                text_cell(enrolment.user.full_name),
                text_cell(enrolment.user.email),
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


@router.get("/trainings/mine", response_class=HTMLResponse)
def my_trainings(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: PastPaging,
) -> Response:
    mine = service.my_trainings(session, user, past_paging=paging)
    return render_page(
        request,
        "training/mine.html",
        {
            "upcoming": mine.upcoming,
            "past": mine.past,
            "pagination": Pagination.of(paging, mine.past_total),
            "positions": service.waitlist_positions(session, mine.upcoming),
            "certificates": certificates.certificates_of_user(session, user.id),
            "feed_enabled": user.calendar_token_hash is not None,
        },
    )


@router.get("/certificates/{certificate_id}", response_class=HTMLResponse)
def certificate_page(
    certificate_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    """The printable certificate for its holder and staff, with the QR code of `/verify`."""
    certificate = certificates.get_certificate(session, user=user, certificate_id=certificate_id)
    verify_url = absolute_url(f"/verify/{certificate.verify_code}")
    return render_page(
        request,
        "training/certificate.html",
        {
            "certificate": certificate,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url),
            "sees_who_revoked": policies.sees_who_revoked(user, certificate),
        },
    )


@router.post("/trainings/calendar-feed")
def issue_feed(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return form_action(
        request,
        session,
        "/trainings/mine",
        lambda: calendar.issue_feed_token(session, actor=user),
        lambda token: gettext(
            "Your calendar address (keep it secret): %(url)s", url=calendar.feed_url(token)
        ),
        flashed=(),
        category="info",
    )


@router.post("/trainings/calendar-feed/revoke")
def revoke_feed(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return form_action(
        request,
        session,
        "/trainings/mine",
        lambda: calendar.revoke_feed_token(session, actor=user),
        gettext("The calendar address no longer works."),
        flashed=(),
    )


@router.get("/courses", response_class=HTMLResponse)
def courses_page(
    request: Request,
    user: StaffUser,
    session: SessionDep,
    paging: ListPaging,
) -> Response:
    rows, total = service.list_courses(session, paging=paging)
    return render_page(
        request,
        "training/courses.html",
        {
            "courses": rows,
            "pagination": Pagination.of(paging, total),
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
    form["translations"] = bilingual.translations_from_form(
        form, source=str(form.get("language") or "ru"), fields=Course.__translatable__
    )
    parsed, errors = parse_form(CourseForm, form)
    errors.pop("__all__", None)  # the one rule across fields, told beside its field:
    if form.get("completion_rule") == CompletionRule.at_least and not form.get("min_sessions"):
        errors.setdefault("min_sessions", gettext("Give how many sessions must be attended."))
    if parsed is None or errors:
        first_page = Paging(PAGE_SIZE, 0)
        rows, total = service.list_courses(session, paging=first_page)
        return render_page(
            request,
            "training/courses.html",
            {
                "courses": rows,
                "pagination": Pagination.of(first_page, total),
                "errors": errors,
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
    if parsed is None:  # with the rules the typed fields already break
        problems = service.session_problems(form, now=utcnow())
        return _course_page(request, session, course, {**problems, **errors}, form, 422)
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
        return _course_page(request, session, course, exc.by_field(), form, 422)
    flash(request, gettext("The session has been added."))
    return redirect(f"/sessions/{training_session.id}")
