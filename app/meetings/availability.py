"""An investor's availability: published windows of slots, and the slots still free in them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import record
from app.db import utcnow
from app.errors import FieldError, Forbidden
from app.i18n import gettext
from app.meetings import policies
from app.meetings.busy import Slot, busy_times
from app.meetings.models import AvailabilityWindow


def _require_investor(session: Session, user: User) -> None:
    if not policies.can_manage_availability(session, user):
        raise Forbidden(gettext("Only investors of a verified investor organisation may do this."))


def add_availability(
    session: Session, *, actor: User, starts_at: datetime, ends_at: datetime, slot_minutes: int
) -> AvailabilityWindow:
    """An investor publishes a window of slots; reversed or overlapping windows are refused."""
    _require_investor(session, actor)
    if ends_at <= starts_at:
        raise FieldError("ends_at", gettext("The window must end after it starts."))
    if ends_at - starts_at < timedelta(minutes=slot_minutes):
        raise FieldError("slot_minutes", gettext("The window is shorter than one slot."))
    if ends_at - starts_at > timedelta(days=31):
        raise FieldError("ends_at", gettext("A window may last at most 31 days."))
    overlap = session.scalar(
        select(AvailabilityWindow.id)
        .where(
            AvailabilityWindow.investor_id == actor.id,
            AvailabilityWindow.starts_at < ends_at,
            AvailabilityWindow.ends_at > starts_at,
        )
        .limit(1)
    )
    if overlap is not None:
        raise FieldError("starts_at", gettext("The window overlaps one you already published."))
    window = AvailabilityWindow(
        investor_id=actor.id,
        starts_at=starts_at.astimezone(UTC),
        ends_at=ends_at.astimezone(UTC),
        slot_minutes=slot_minutes,
    )
    session.add(window)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.availability_added",
        entity_type="availability",
        entity_id=window.id,
    )
    return window


def list_availability(session: Session, *, actor: User) -> list[AvailabilityWindow]:
    """The investor's own windows that have not ended yet, earliest first."""
    _require_investor(session, actor)
    return windows_of(session, actor.id, utcnow())


def windows_of(session: Session, investor_id: int, now: datetime) -> list[AvailabilityWindow]:
    return list(
        session.scalars(
            select(AvailabilityWindow)
            .where(AvailabilityWindow.investor_id == investor_id, AvailabilityWindow.ends_at > now)
            .order_by(AvailabilityWindow.starts_at)
        )
    )


def _slot_at(session: Session, investor_id: int, starts_at: datetime) -> Slot:
    """The slot of the investor's availability that starts exactly at `starts_at`."""
    starts_at = starts_at.astimezone(UTC)
    windows = session.scalars(
        select(AvailabilityWindow).where(
            AvailabilityWindow.investor_id == investor_id,
            AvailabilityWindow.starts_at <= starts_at,
            AvailabilityWindow.ends_at > starts_at,
        )
    ).all()
    for window in windows:
        step = timedelta(minutes=window.slot_minutes)
        offset = starts_at - window.starts_at
        if offset % step == timedelta(0) and starts_at + step <= window.ends_at:
            return starts_at, starts_at + step
    raise FieldError(
        "starts_at", gettext("This time is not one of the investor's available slots.")
    )


def future_slot(session: Session, investor_id: int, starts_at: datetime) -> Slot:
    """The investor's slot starting at `starts_at`, if it is one and has not begun; else 422."""
    slot = _slot_at(session, investor_id, starts_at)
    if slot[0] < utcnow():
        raise FieldError("starts_at", gettext("This time is in the past."))
    return slot


def free_slots(session: Session, investor_id: int, *, now: datetime | None = None) -> list[Slot]:
    return free_slots_of(session, [investor_id], now=now).get(investor_id, [])


def free_slots_of(
    session: Session, investor_ids: list[int], *, now: datetime | None = None, limit: int = 500
) -> dict[int, list[Slot]]:
    """The open slots of several investors in two queries: availability minus busy time."""
    now = now or utcnow()
    if not investor_ids:
        return {}
    busy = busy_times(session, investor_ids, now)
    windows = session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.investor_id.in_(investor_ids), AvailabilityWindow.ends_at > now)
        .order_by(AvailabilityWindow.starts_at)
    )
    return open_slots(investor_ids, windows, busy, now, limit)


def open_slots(
    investor_ids: list[int],
    windows: Iterable[AvailabilityWindow],
    busy: dict[int, list[Slot]],
    now: datetime,
    limit: int,
) -> dict[int, list[Slot]]:
    """The slots of `windows` (earliest first) that start from `now` and meet no busy time."""
    slots: dict[int, list[Slot]] = {i: [] for i in investor_ids}
    for window in windows:
        found, taken = slots[window.investor_id], busy[window.investor_id]
        step = timedelta(minutes=window.slot_minutes)
        start = window.starts_at
        while start + step <= window.ends_at and len(found) < limit:
            end = start + step
            if start >= now and not any(b0 < end and b1 > start for b0, b1 in taken):
                found.append((start, end))
            start = end
    return slots
