"""Who may see which report."""

from __future__ import annotations

from app.accounts.models import Role, User


def can_view_reports(user: User | None) -> bool:
    """Cluster staff, admins and the regional observer read the staff report and the region's
    indicators. "The cluster in numbers" is public."""
    return user is not None and (user.is_staff or user.has_role(Role.observer))


def sees_reviewers(user: User) -> bool:
    """Reviewers' names, workload and calibration are the cluster's internal matter: staff only."""
    return user.is_staff


def is_regional_observer(user: User | None) -> bool:
    """The observer's home page leads to the region's reports."""
    return user is not None and user.has_role(Role.observer)
