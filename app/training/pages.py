"""HTML pages of training, and the personal calendar feed."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.deps import SessionDep
from app.errors import NotFound
from app.i18n import gettext
from app.training import calendar

router = APIRouter(include_in_schema=False)


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
