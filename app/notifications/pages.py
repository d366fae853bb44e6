"""HTML pages: the bell, the notice list, email preferences and the staff outbox."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from app.accounts.deps import CurrentUser, StaffUser
from app.deps import SessionDep
from app.i18n import N_, gettext
from app.notifications import policies, service
from app.notifications.kinds import all_kinds
from app.notifications.models import Notification, OutboxStatus
from app.pagination import Pagination, Paging, page_paging
from app.web import (
    FormData,
    add_page_context,
    form_action,
    render_page,
    safe_next,
)

logger = logging.getLogger("app.notifications")
router = APIRouter(include_in_schema=False)


RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]
ListPaging = Annotated[Paging, page_paging(50)]

STATUS_LABELS = {
    OutboxStatus.queued: N_("Queued"),
    OutboxStatus.sending: N_("Sending"),
    OutboxStatus.sent: N_("Sent"),
    OutboxStatus.failed: N_("Failed, will retry"),
    OutboxStatus.dead: N_("Dead"),
    OutboxStatus.skipped: N_("Turned off by the user"),
}


@add_page_context
def unread_notifications(request: Request) -> dict[str, Any]:
    """The bell's count: one indexed COUNT on pages whose route knows the logged-in user."""
    session = getattr(request.state, "db", None)
    user = getattr(request.state, "user", None)
    # Outside the route (an error page after the request's transaction ended) a query would
    # open a transaction that nobody closes: no bell there.
    if session is None or user is None or not session.in_transaction():
        return {}
    try:
        return {"unread_notifications": service.unread_count(session, user.id)}
    except SQLAlchemyError:  # the bell must never break a page (e.g. an error page)
        logger.warning("unread count failed", exc_info=True)
        return {}


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    paging: ListPaging,
    unread: bool = False,
) -> Response:
    rows, total = service.list_notifications(session, user=user, unread_only=unread, paging=paging)
    return render_page(
        request,
        "notifications/list.html",
        {
            "notifications": rows,
            "unread": unread,
            "pagination": Pagination.of(paging, total),
        },
    )


@router.post("/notifications/read-all")
def mark_all_read(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return form_action(
        request,
        session,
        "/notifications",
        lambda: service.mark_all_read(session, user.id),
        lambda marked: gettext("All notifications are marked as read.") if marked else None,
        flashed=(),
    )


@router.post("/notifications/{notification_id}/read")
def mark_read(
    notification_id: RecordId,
    request: Request,
    form: FormData,
    user: CurrentUser,
    session: SessionDep,
) -> Response:

    def onward(notification: Notification) -> str:
        if form.get("open") and notification.link:
            return safe_next(notification.link, "/notifications")
        return safe_next(str(form.get("next") or ""), "/notifications")

    return form_action(
        request,
        session,
        onward,
        lambda: service.mark_read(session, user=user, notification_id=notification_id),
        None,
        flashed=(),
    )


@router.get("/notifications/preferences", response_class=HTMLResponse)
def preferences_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return render_page(
        request,
        "notifications/preferences.html",
        {"preferences": service.preferences(session, user)},
    )


@router.post("/notifications/preferences")
def save_preferences(
    request: Request, form: FormData, user: CurrentUser, session: SessionDep
) -> Response:
    # A checkbox is absent when unticked: every optional kind is named by the form.
    email = {
        kind.slug: form.get(f"kind-{kind.slug}") == "on"
        for kind in all_kinds()
        if not kind.essential
    }
    return form_action(
        request,
        session,
        "/notifications/preferences",
        lambda: service.set_preferences(session, actor=user, email=email),
        gettext("Your email preferences have been saved."),
        flashed=(),
    )


@router.get("/staff/outbox", response_class=HTMLResponse)
def outbox_page(
    request: Request,
    staff: StaffUser,
    session: SessionDep,
    paging: ListPaging,
    status: OutboxStatus | None = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    q: Annotated[str | None, Query(max_length=254)] = None,
) -> Response:
    rows, total = service.list_outbox(
        session, status=status, kind=kind or None, query=q, paging=paging
    )
    filters = {"status": status.value if status else "", "kind": kind or "", "q": q or ""}
    kinds = {k.slug: gettext(k.label) for k in all_kinds()}
    return render_page(
        request,
        "notifications/outbox.html",
        {
            "messages": rows,
            "counts": service.outbox_counts(session),
            "status_labels": STATUS_LABELS,
            "statuses": [(s.value, gettext(label)) for s, label in STATUS_LABELS.items()],
            "kinds": list(kinds.items()),
            "kind_labels": kinds,
            "filters": filters,
            "retryable_ids": {m.id for m in rows if policies.can_retry(staff, m)},
            "pagination": Pagination.of(paging, total),
        },
    )


@router.post("/staff/outbox/{message_id}/retry")
def retry_message(
    message_id: RecordId, request: Request, staff: StaffUser, session: SessionDep
) -> Response:
    return form_action(
        request,
        session,
        "/staff/outbox",
        lambda: service.retry_message(session, actor=staff, message_id=message_id),
        gettext("The message is queued again."),
        flashed=(),
    )
