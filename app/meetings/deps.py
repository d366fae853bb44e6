"""Route gates of meetings: they ask the policies before a route's input is validated, so that a
refused caller hears 403 rather than what was wrong with the input."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.meetings.pitch_days import require_manager


def _pitch_day_manager(user: CurrentUser) -> User:
    require_manager(user)
    return user


PitchDayManager = Annotated[User, Depends(_pitch_day_manager)]
