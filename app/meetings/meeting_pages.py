"""The page of one meeting (`/meetings/{id}`), for both sides and staff: when (in the viewer's
time zone), where or by which link, who, the request it came from, the `.ics`, and the forms for
what the viewer may do now. Each form does what its API route does; a refused one comes back
with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import OptionalUser
from app.accounts.models import Organisation, User
from app.deps import SessionDep
from app.errors import DomainError, FieldError, NotFound
from app.formatting import format_datetime
from app.i18n import get_timezone, gettext
from app.meetings import availability, bookings, people, policies
from app.meetings.models import InvestorProfile, Meeting, MeetingRequest, Outcome
from app.meetings.schemas import CancelIn, FeedbackIn, MeetingDetailsIn, NoShowIn, RescheduleIn
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

SLOTS_OFFERED = 40


def details_errors(errors: dict[str, str]) -> dict[str, str]:
    """Form errors, with the one rule of the video link said plainly."""
    if "video_url" in errors:
        errors = {**errors, "video_url": gettext("Enter a link that starts with https://.")}
    return errors


def _investor_contact(session: Session, investor: User) -> str:
    organisation = people.investor_organisation(session, investor)
    profile = session.get(InvestorProfile, organisation.id) if organisation else None
    return (profile.contact_email if profile else None) or investor.email


def _contacts(
    session: Session,
    user: User,
    meeting: Meeting,
    investor: User | None,
    requester: User | None,
) -> list[tuple[str, str, str]]:
    """(whose, name, address) of the other side, or of both sides for staff."""
    if not policies.can_see_contacts(session, user, meeting):
        return []
    side = policies.meeting_side(session, user, meeting)
    found = []
    if investor is not None and side != "investor":
        found.append(
            (gettext("Investor"), investor.full_name, _investor_contact(session, investor))
        )
    if requester is not None and side != "organisation":
        found.append((gettext("Organisation"), requester.full_name, requester.email))
    return found


def meeting_context(session: Session, user: User, meeting: Meeting) -> dict[str, Any]:
    """What the page shows of `meeting` to `user`, and the actions the policies allow."""
    investor = session.get(User, meeting.investor_id)
    asked = session.get(MeetingRequest, meeting.request_id) if meeting.request_id else None
    requester = session.get(User, asked.requester_id) if asked and asked.requester_id else None
    actions = policies.meeting_actions(session, user, meeting)
    return {
        "meeting": meeting,
        "investor": investor,
        "investor_organisation": (
            people.investor_organisation(session, investor) if investor else None
        ),
        "organisation": session.get(Organisation, meeting.organisation_id),
        "meeting_request": asked,
        "requester": requester,
        "contacts": _contacts(session, user, meeting, investor, requester),
        "actions": actions,
        "slots": (
            [
                (start.isoformat(), format_datetime(start))
                for start, _end in availability.free_slots(session, meeting.investor_id)
            ][:SLOTS_OFFERED]
            if "reschedule" in actions
            else []
        ),
        "outcomes": Outcome.choices(),
        "zone": get_timezone().key,
    }


def _render(
    request: Request,
    session: Session,
    user: User,
    meeting: Meeting,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """`form` names the form that `values` and `errors` belong to."""
    context = meeting_context(session, user, meeting)
    return render_page(
        request,
        "meetings/meeting.html",
        {**context, "form": form, "values": values or {}, "errors": errors or {}},
        status_code=status_code,
    )


def _typed(form: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: form[name] for name in names if isinstance(form.get(name), str)}


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(
    meeting_id: int, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    meeting = bookings.get_meeting(session, actor=user, meeting_id=meeting_id)
    return _render(request, session, user, meeting)


def _refused(
    request: Request,
    session: Session,
    user: User,
    meeting_id: int,
    *,
    form: str,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 422,
) -> Response:
    """The page again, with `form` as typed and what was wrong with it."""
    meeting = bookings.get_meeting(session, actor=user, meeting_id=meeting_id)
    return _render(
        request,
        session,
        user,
        meeting,
        form=form,
        values=values,
        errors=errors,
        status_code=status_code,
    )


def _act(
    request: Request,
    session: Session,
    user: User,
    meeting_id: int,
    *,
    form: str,
    values: dict[str, str],
    action: Callable[[], object],
    success: str,
) -> Response:
    """Post/redirect/get for one service call under a savepoint; a refusal (other than "not
    found") shows the page again with what was typed."""
    try:
        with session.begin_nested():
            action()
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        field = error.field if isinstance(error, FieldError) else "__all__"
        return _refused(
            request,
            session,
            user,
            meeting_id,
            form=form,
            values=values,
            errors={field: error.detail},
            status_code=error.status_code,
        )
    flash(request, success)
    return redirect(f"/meetings/{meeting_id}")


@router.post("/meetings/{meeting_id}/details")
def details_page(
    meeting_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    values = _typed(form, "location", "video_url")
    data, errors = parse_form(MeetingDetailsIn, {"location": None, "video_url": None, **form})
    if data is None:
        return _refused(
            request,
            session,
            user,
            meeting_id,
            form="details",
            values=values,
            errors=details_errors(errors),
        )
    return _act(
        request,
        session,
        user,
        meeting_id,
        form="details",
        values=values,
        action=lambda: bookings.set_meeting_details(
            session, actor=user, meeting_id=meeting_id, details=data.details()
        ),
        success=gettext("The place of the meeting is saved; both sides were sent the update."),
    )


@router.post("/meetings/{meeting_id}/cancel")
def cancel_page(
    meeting_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    values = _typed(form, "reason")
    data, errors = parse_form(CancelIn, form)
    if data is None:
        return _refused(
            request, session, user, meeting_id, form="cancel", values=values, errors=errors
        )
    return _act(
        request,
        session,
        user,
        meeting_id,
        form="cancel",
        values=values,
        action=lambda: bookings.cancel_meeting(
            session, actor=user, meeting_id=meeting_id, reason=data.reason or None
        ),
        success=gettext("The meeting is cancelled; both sides were told."),
    )


@router.post("/meetings/{meeting_id}/reschedule")
def reschedule_page(
    meeting_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    values = _typed(form, "starts_at")
    data, _errors = parse_form(RescheduleIn, form)
    if data is None:
        return _refused(
            request,
            session,
            user,
            meeting_id,
            form="reschedule",
            values=values,
            errors={"starts_at": gettext("Choose a slot.")},
        )
    return _act(
        request,
        session,
        user,
        meeting_id,
        form="reschedule",
        values=values,
        action=lambda: bookings.reschedule_meeting(
            session, actor=user, meeting_id=meeting_id, starts_at=data.starts_at
        ),
        success=gettext("The meeting is moved; both sides were sent the new time."),
    )


@router.post("/meetings/{meeting_id}/feedback")
def feedback_page(
    meeting_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    if user is None:
        return login_redirect(request)
    values = _typed(form, "rating", "outcome", "amount_rub", "note")
    data, errors = parse_form(FeedbackIn, form)
    if data is None:
        return _refused(
            request, session, user, meeting_id, form="feedback", values=values, errors=errors
        )
    return _act(
        request,
        session,
        user,
        meeting_id,
        form="feedback",
        values=values,
        action=lambda: bookings.add_feedback(
            session, actor=user, meeting_id=meeting_id, **data.model_dump()
        ),
        success=gettext("Thank you: your feedback is recorded."),
    )


@router.post("/meetings/{meeting_id}/no-show")
def no_show_page(
    meeting_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Nothing is typed here, so a refusal is a message on the page, as after any action."""
    if user is None:
        return login_redirect(request)
    bookings.get_meeting(session, actor=user, meeting_id=meeting_id)  # 404 to a stranger
    data, _errors = parse_form(NoShowIn, form)
    if data is None:
        flash(request, gettext("Choose one of the options."), "error")
        return redirect(f"/meetings/{meeting_id}")
    return form_action(
        request,
        session,
        f"/meetings/{meeting_id}",
        lambda: bookings.record_no_show(
            session, actor=user, meeting_id=meeting_id, party=data.party
        ),
        gettext("The no-show is recorded."),
    )
