"""HTML pages of mentoring: the mentorships a person sees (with staff's pairing form), and a
mentorship's page with its session log and the mentor's form."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, StaffUser
from app.accounts.models import User
from app.deps import SessionDep
from app.errors import DomainError, FieldError
from app.i18n import gettext
from app.mentoring import policies, service
from app.mentoring.api import mentorships_out
from app.mentoring.models import Mentorship
from app.mentoring.schemas import MentoringSessionIn, MentorshipIn
from app.web import FormData, flash, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)


def _list_context(session: Session, user: User) -> dict[str, Any]:
    rows, _total = service.list_mentorships(session, actor=user)
    context: dict[str, Any] = {
        "mentorships": mentorships_out(session, rows),
        "pairs": policies.pairs_mentors(user),
        "errors": {},
        "values": {},
    }
    if context["pairs"]:
        context["organisations"] = [
            (str(i), name) for i, name in service.pairable_organisations(session)
        ]
        context["mentors"] = [(str(m.id), m.full_name) for m in service.mentors(session)]
    return context


@router.get("/mentorships", response_class=HTMLResponse)
def mentorships_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return render_page(request, "mentoring/list.html", _list_context(session, user))


@router.post("/mentorships/new")
def pair(request: Request, form: FormData, user: StaffUser, session: SessionDep) -> Response:
    parsed, errors = parse_form(MentorshipIn, form)
    if parsed is not None:
        try:
            with session.begin_nested():
                mentorship = service.pair(
                    session,
                    actor=user,
                    organisation_id=parsed.organisation_id,
                    mentor_id=parsed.mentor_id,
                )
        except FieldError as exc:
            errors = exc.by_field()
        except DomainError as exc:
            errors = {"mentor_id": exc.detail}
        else:
            flash(request, gettext("The mentor has been paired with the organisation."))
            return redirect(f"/mentorships/{mentorship.id}")
    context = {**_list_context(session, user), "errors": errors, "values": dict(form)}
    return render_page(request, "mentoring/list.html", context, status_code=422)


def _detail(
    request: Request,
    session: Session,
    user: User,
    mentorship: Mentorship,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "mentoring/mentorship.html",
        {
            "mentorship": mentorships_out(session, [mentorship])[0],
            "sessions": service.sessions_of(session, mentorship.id),
            "can_log": policies.can_log_session(session, user, mentorship),
            "errors": errors or {},
            "values": values or {"held_on": date.today().isoformat()},
            "today": date.today().isoformat(),
        },
        status_code=status_code,
    )


@router.get("/mentorships/{mentorship_id}", response_class=HTMLResponse)
def mentorship_page(
    mentorship_id: int, request: Request, user: CurrentUser, session: SessionDep
) -> Response:
    mentorship = service.get_mentorship(session, actor=user, mentorship_id=mentorship_id)
    return _detail(request, session, user, mentorship)


@router.post("/mentorships/{mentorship_id}/sessions")
def log_session(
    mentorship_id: int, request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    mentorship = service.loggable_mentorship(session, actor=user, mentorship_id=mentorship_id)
    parsed, errors = parse_form(MentoringSessionIn, form)
    if parsed is not None:
        try:
            with session.begin_nested():
                service.log_session(
                    session,
                    actor=user,
                    mentorship_id=mentorship.id,
                    held_on=parsed.held_on,
                    minutes=parsed.minutes,
                    notes=parsed.notes or "",
                )
        except FieldError as exc:
            errors = exc.by_field()
        else:
            flash(request, gettext("The session has been logged."))
            return redirect(f"/mentorships/{mentorship.id}")
    return _detail(
        request, session, user, mentorship, errors=errors, values=dict(form), status_code=422
    )
