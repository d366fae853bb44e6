"""Who may see notices and the outbox."""

from __future__ import annotations

from app.accounts.models import Role, User
from app.notifications.models import Notification


def can_view_notification(user: User, notification: Notification) -> bool:
    """A notice belongs to its recipient alone; for anyone else it does not exist (404)."""
    return notification.user_id == user.id


def can_manage_outbox(user: User) -> bool:
    """Staff see the outbox (addresses, subjects, errors; never the bodies) and retry messages."""
    return user.has_role(Role.staff, Role.admin)
