"""The pitch deck a requesting organisation attaches to its request: one PDF, replaced by a new
one, opened only by those who may see the request."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import record
from app.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
)
from app.i18n import gettext
from app.meetings import policies
from app.meetings.models import MeetingRequest
from app.meetings.requests import get_request
from app.uploads import store_pdf, upload_folder

UPLOAD_FOLDER = "meetings"


def attach_deck(
    session: Session, *, actor: User, request_id: int, filename: str | None, stream: BinaryIO
) -> MeetingRequest:
    """A person of the requesting organisation attaches a pitch deck to an open request: PDF
    only, recognised by its first bytes (415), at most `max_upload_bytes` (413). A new deck
    replaces the old one. Only the investor, the organisation and staff can open it."""
    request = get_request(session, actor=actor, request_id=request_id, lock=True)
    if not policies.can_attach_deck(session, actor, request, check_state=False):
        raise Forbidden(gettext("Only the requesting organisation may attach a deck."))
    if not policies.can_attach_deck(session, actor, request):
        raise InvalidTransition(gettext("A deck can be attached only to an open request."))
    old = request.deck_stored_name
    stored = store_pdf(stream, folder=UPLOAD_FOLDER, filename=filename, default_name="deck")
    request.deck_filename = stored.filename
    request.deck_stored_name = stored.stored_name
    request.deck_size = stored.size
    session.flush()
    if old:
        (upload_folder(UPLOAD_FOLDER) / old).unlink(missing_ok=True)
    record(
        session,
        actor_id=actor.id,
        action="meetings.deck_attached",
        entity_type="meeting_request",
        entity_id=request.id,
        data={"size": stored.size},
    )
    return request


def open_deck(session: Session, *, actor: User, request_id: int) -> tuple[MeetingRequest, Path]:
    """The deck opens to the investor addressed, the requesting organisation and staff."""
    request = get_request(session, actor=actor, request_id=request_id)
    if not request.deck_stored_name:
        raise NotFound(gettext("Document not found."))
    path = upload_folder(UPLOAD_FOLDER) / request.deck_stored_name
    if not path.is_file():
        raise NotFound(gettext("Document not found."))
    return request, path
