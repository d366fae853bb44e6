"""JSON routes: /api/v1/notifications, /api/v1/me/notification-preferences, /api/v1/outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.accounts.deps import CurrentUser, StaffUser
from app.deps import PagingDep, SessionDep
from app.i18n import gettext
from app.notifications import service
from app.notifications.kinds import MessageKind
from app.notifications.models import Notification, OutboxStatus
from app.notifications.schemas import (
    KindPreferenceOut,
    MarkedOut,
    NotificationOut,
    OutboxOut,
    PreferencesIn,
    PreferencesOut,
)
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["notifications"])

RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.id,
        kind=notification.kind,
        title=notification.title,
        link=notification.link,
        created_at=notification.created_at,
        read_at=notification.read_at,
        read=notification.read_at is not None,
    )


def preferences_out(rows: list[tuple[MessageKind, bool]]) -> PreferencesOut:
    return PreferencesOut(
        kinds=[
            KindPreferenceOut(
                kind=kind.slug, label=gettext(kind.label), essential=kind.essential, email=enabled
            )
            for kind, enabled in rows
        ]
    )


@router.get("/notifications", response_model=Page[NotificationOut])
def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    paging: PagingDep,
    unread: Annotated[bool, Query(description="Only unread notices.")] = False,
) -> Page[NotificationOut]:
    rows, total = service.list_notifications(session, user=user, unread_only=unread, paging=paging)
    return Page(items=[notification_out(n) for n in rows], total=total)


@router.post("/notifications/read-all", response_model=MarkedOut)
def mark_all_read(user: CurrentUser, session: SessionDep) -> MarkedOut:
    marked = service.mark_all_read(session, user.id)
    return MarkedOut(marked=marked, unread=service.unread_count(session, user.id))


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: RecordId, user: CurrentUser, session: SessionDep) -> NotificationOut:
    notification = service.mark_read(session, user=user, notification_id=notification_id)
    return notification_out(notification)


@router.get("/me/notification-preferences", response_model=PreferencesOut)
def get_preferences(user: CurrentUser, session: SessionDep) -> PreferencesOut:
    return preferences_out(service.preferences(session, user))


@router.put("/me/notification-preferences", response_model=PreferencesOut)
def put_preferences(body: PreferencesIn, user: CurrentUser, session: SessionDep) -> PreferencesOut:
    return preferences_out(service.set_preferences(session, actor=user, email=body.email))


@router.get("/outbox", response_model=Page[OutboxOut])
def list_outbox(
    staff: StaffUser,
    session: SessionDep,
    paging: PagingDep,
    status: OutboxStatus | None = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    q: Annotated[str | None, Query(max_length=254)] = None,
) -> Page[OutboxOut]:
    rows, total = service.list_outbox(session, status=status, kind=kind, query=q, paging=paging)
    return Page(items=[OutboxOut.model_validate(m) for m in rows], total=total)


@router.get("/outbox/{message_id}", response_model=OutboxOut)
def get_outbox_message(message_id: RecordId, staff: StaffUser, session: SessionDep) -> OutboxOut:
    return OutboxOut.model_validate(service.get_message(session, message_id))


@router.post("/outbox/{message_id}/retry", response_model=OutboxOut)
def retry_outbox_message(message_id: RecordId, staff: StaffUser, session: SessionDep) -> OutboxOut:
    message = service.retry_message(session, actor=staff, message_id=message_id)
    return OutboxOut.model_validate(message)
