"""Who may see and change library items."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.library.models import LibraryItem, Visibility
from app.membership.queries import is_member


def can_see_members_items(session: Session, user: User | None) -> bool:
    """Members-only items are for staff and for members of the cluster."""
    if user is None:
        return False
    return user.is_staff or is_member(session, user)


def can_view(session: Session, user: User | None, item: LibraryItem) -> bool:
    return item.visibility == Visibility.public or can_see_members_items(session, user)


def can_edit(user: User | None) -> bool:
    return user is not None and user.is_staff


def visibility_conditions(session: Session, user: User | None) -> list[ColumnElement[bool]]:
    """SQL conditions that keep hidden items out of the same query that lists or searches."""
    if can_see_members_items(session, user):
        return []
    return [LibraryItem.visibility == Visibility.public]
