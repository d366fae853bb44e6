"""Who may see which report."""

from __future__ import annotations

from app.accounts.models import User


def can_view_reports(user: User | None) -> bool:
    """The staff report shows reviewers' names and workload: cluster staff and admins only.
    "The cluster in numbers" is public."""
    return user is not None and user.is_staff
