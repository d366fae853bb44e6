"""HTML pages of a meeting request: what a person needs before asking an investor (shown before
any typing), and the request form, which comes back with what was typed when it is refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.accounts.deps import OptionalUser
from app.accounts.models import Organisation, User
from app.deps import SessionDep
from app.errors import DomainError, FieldError, PayloadTooLarge, UnsupportedMediaType
from app.i18n import get_timezone, gettext
from app.meetings import availability, decks, investors, people, policies, requests
from app.meetings.schemas import MeetingRequestIn
from app.web import FormData, flash, login_redirect, parse_form, redirect, render_page

router = APIRouter(include_in_schema=False)

SLOTS_OFFERED = 20
TYPED_FIELDS = ("message", "starts_at", "organisation_id")


def _member_organisations(session: Session, user: User) -> list[tuple[int, str]]:
    ids = people.requesting_organisation_ids(session, user)
    if len(ids) < 2:
        return []
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(ids))
        .order_by(Organisation.name)
    )
    return [(row.id, row.name) for row in rows]


def request_context(session: Session, user: User, investor_id: int) -> dict[str, Any]:
    """The investor's card, the requirements the person meets and, when they lack the
    investor-readiness certificate, the session that gives it."""
    card = investors.investor_card(session, actor=user, investor_id=investor_id)
    requirements = policies.request_requirements(session, user)
    return {
        "card": card,
        "requirements": requirements,
        "slots": (
            availability.free_slots(session, investor_id)[:SLOTS_OFFERED]
            if requirements.met
            else []
        ),
        "organisations": _member_organisations(session, user) if requirements.met else [],
        "zone": get_timezone().key,
    }


def _render(
    request: Request,
    session: Session,
    user: User,
    investor_id: int,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = request_context(session, user, investor_id)
    return render_page(
        request,
        "meetings/request.html",
        {**context, "values": values, "errors": errors},
        status_code=status_code,
    )


@router.get("/investors/{investor_id}/request", response_class=HTMLResponse)
def request_form_page(
    investor_id: int, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _render(request, session, user, investor_id, values={}, errors={})


def _errors_of(error: DomainError) -> dict[str, str]:
    if isinstance(error, FieldError):
        return error.by_field()
    if isinstance(error, PayloadTooLarge | UnsupportedMediaType):
        return {"deck": error.detail}
    return {"__all__": error.detail}


@router.post("/investors/{investor_id}/request")
def request_page(
    investor_id: int, request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Send the request (and the deck); a refusal shows the form again with the message and
    the chosen time as typed, and what went wrong."""
    if user is None:
        return login_redirect(request)
    values = {name: form[name] for name in TYPED_FIELDS if isinstance(form.get(name), str)}
    data, errors = parse_form(MeetingRequestIn, {**form, "investor_id": investor_id})
    if data is None:
        if "message" in errors:
            errors["message"] = gettext("Write a message to the investor.")
        return _render(
            request, session, user, investor_id, values=values, errors=errors, status_code=422
        )
    deck = form.get("deck")
    try:
        with session.begin_nested():
            created = requests.create_request(
                session,
                actor=user,
                investor_id=investor_id,
                message=data.message,
                organisation_id=data.organisation_id,
                starts_at=data.starts_at,
            )
            if isinstance(deck, UploadFile) and deck.filename:
                decks.attach_deck(
                    session,
                    actor=user,
                    request_id=created.id,
                    filename=deck.filename,
                    stream=deck.file,
                )
    except DomainError as error:
        status_code = 422 if isinstance(error, FieldError) else error.status_code
        return _render(
            request,
            session,
            user,
            investor_id,
            values=values,
            errors=_errors_of(error),
            status_code=status_code,
        )
    flash(request, gettext("Your request was sent."))
    return redirect("/meetings")
