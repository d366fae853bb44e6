"""Who sees which part of the site. The domains' own questions are asked of their policies;
here are only the site's."""

from __future__ import annotations

from app.accounts.models import User
from app.accounts.policies import is_read_only


def everyone(user: User | None) -> bool:
    return True


def is_signed_in(user: User | None) -> bool:
    return user is not None


def takes_part(user: User | None) -> bool:
    """Signed in with an account that acts: the read-only observer has no organisations,
    applications, trainings, meetings or introductions of their own."""
    return user is not None and not is_read_only(user)


def works_as_staff(user: User | None) -> bool:
    """Staff work areas of domains whose policies have no such question yet (memberships)."""
    return user is not None and user.is_staff
