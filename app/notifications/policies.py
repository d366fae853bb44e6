"""Who may see notices and the outbox."""

from __future__ import annotations

from app.accounts.models import Role, User
from app.errors import DomainError, Forbidden, InvalidTransition
from app.i18n import gettext
from app.notifications.models import RETRYABLE, Notification, OutboxMessage


def can_view_notification(user: User, notification: Notification) -> bool:
    """A notice belongs to its recipient alone; for anyone else it does not exist (404)."""
    return notification.user_id == user.id


def can_manage_outbox(user: User | None) -> bool:
    """Staff see the outbox (addresses, subjects, errors; never the bodies) and retry messages."""
    return user is not None and user.has_role(Role.staff, Role.admin)


def retry_refusal(user: User, message: OutboxMessage) -> DomainError | None:
    """Staff (403) put a dead or failed message back in the queue (409 in any other status)."""
    if not can_manage_outbox(user):
        return Forbidden(gettext("You do not have permission to do this."))
    if message.status not in RETRYABLE:
        return InvalidTransition(gettext("Only a dead or failed message can be retried."))
    return None


def can_retry(user: User, message: OutboxMessage) -> bool:
    return retry_refusal(user, message) is None
