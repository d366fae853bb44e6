"""Pitch days: staff set up a day of slots and tables, the scheduler places the meetings the
participants wished (`pitch_participation` registers them and their wishes), staff lock what
must stay, and the published schedule gives each participant its agenda."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, cast

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import record
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.i18n import DEFAULT_TIMEZONE, gettext, is_valid_timezone
from app.meetings import notices, people, policies, scheduler
from app.meetings.models import (
    PitchDay,
    PitchDayStage,
    PitchMeeting,
    PitchParticipant,
    PitchWish,
)
from app.meetings.statements import for_update


def require_manager(user: User) -> None:
    """Pitch days are managed by staff; anyone else is refused (403)."""
    if not policies.can_manage_pitch_days(user):
        raise Forbidden(gettext("You do not have permission to do this."))


def create_pitch_day(session: Session, *, actor: User, values: dict[str, Any]) -> PitchDay:
    """Staff set up a day: slot start times that do not overlap, a slot length and tables; a
    name, the venue and its time zone, and when registration closes (optional)."""
    require_manager(actor)
    zone = values.get("timezone") or DEFAULT_TIMEZONE
    day = PitchDay(
        name=values.get("name") or "",
        venue=values.get("venue") or "",
        timezone=_checked_zone(zone),
        date=values["date"],
        slot_starts=_checked_slot_starts(
            values["date"], values["slot_starts"], values["slot_minutes"]
        ),
        slot_minutes=values["slot_minutes"],
        tables=values["tables"],
        registration_closes_at=values.get("registration_closes_at"),
        translations=values.get("translations") or {},
        created_by_id=actor.id,
    )
    _check_deadline(day)
    session.add(day)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_created",
        entity_type="pitch_day",
        entity_id=day.id,
    )
    return day


GRID_FIELDS = ("date", "slot_starts", "slot_minutes", "tables")


def update_pitch_day(
    session: Session, *, actor: User, pitch_day_id: int, values: dict[str, Any]
) -> PitchDay:
    """Staff change a day. A new date, slots or tables (refused once the schedule is published)
    clear the schedule, which was made for the old grid; participants keep the slots that still
    exist, or all of them when none does."""
    day = managed_pitch_day(session, actor=actor, pitch_day_id=pitch_day_id)
    starts = _checked_slot_starts(values["date"], values["slot_starts"], values["slot_minutes"])
    grid = {
        "date": values["date"],
        "slot_starts": starts,
        "slot_minutes": values["slot_minutes"],
        "tables": values["tables"],
    }
    moved = sorted(name for name in GRID_FIELDS if getattr(day, name) != grid[name])
    if moved and not policies.can_change_pitch_day_grid(actor, day):
        raise Conflict(
            gettext("The schedule is published: the date, slots and tables can no longer change.")
        )
    details = {
        "name": values.get("name") or "",
        "venue": values.get("venue") or "",
        "timezone": _checked_zone(values.get("timezone") or day.timezone),
        "registration_closes_at": values.get("registration_closes_at"),
        "translations": values.get("translations") or {},
    }
    changed = moved + sorted(name for name in details if getattr(day, name) != details[name])
    for name, value in {**grid, **details}.items():
        setattr(day, name, value)
    _check_deadline(day)
    if moved:
        _clear_schedule(session, day)
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_updated",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"changed": changed},
    )
    return day


def _checked_slot_starts(day: date, starts: list[time], minutes: int) -> list[str]:
    ordered = sorted(starts)
    if len(set(ordered)) != len(ordered):
        raise FieldError("slot_starts", gettext("Slot start times must be different."))
    moments = [datetime.combine(day, t) for t in ordered]
    if any(b - a < timedelta(minutes=minutes) for a, b in pairwise(moments)):
        raise FieldError("slot_starts", gettext("Slots overlap: starts are closer than a slot."))
    return [t.strftime("%H:%M") for t in ordered]


def _checked_zone(name: str) -> str:
    if not is_valid_timezone(name):
        raise FieldError("timezone", gettext("Unknown time zone."))
    return name


def _check_deadline(day: PitchDay) -> None:
    if day.registration_closes_at is not None and day.registration_closes_at > day.slot_start(0):
        raise FieldError(
            "registration_closes_at",
            gettext("Registration must close before the first slot begins."),
        )


def _clear_schedule(session: Session, day: PitchDay) -> None:
    session.execute(delete(PitchMeeting).where(PitchMeeting.pitch_day_id == day.id))
    day.schedule_report = None
    count = len(day.slot_starts)
    for participant in session.scalars(
        select(PitchParticipant).where(PitchParticipant.pitch_day_id == day.id)
    ):
        kept = [s for s in participant.slots if s < count]
        participant.slots = kept or list(range(count))


def get_pitch_day(session: Session, pitch_day_id: int) -> PitchDay:
    day = session.get(PitchDay, pitch_day_id)
    if day is None:
        raise NotFound(gettext("Pitch day not found."))
    return day


def locked_pitch_day(session: Session, pitch_day_id: int) -> PitchDay:
    """The day with its row locked until commit: the writes of one day follow each other, so
    the state each one checked (registration open, not yet published) still holds."""
    day: PitchDay | None = session.scalar(
        for_update(session, select(PitchDay).where(PitchDay.id == pitch_day_id))
    )
    if day is None:
        raise NotFound(gettext("Pitch day not found."))
    return day


def managed_pitch_day(session: Session, *, actor: User, pitch_day_id: int) -> PitchDay:
    """The day, for staff who manage it (403 before 404 for anyone else)."""
    require_manager(actor)
    return get_pitch_day(session, pitch_day_id)


@dataclass
class ScheduleResult:
    placed: int
    upper_bound: int
    method: str
    unplaced: list[dict[str, Any]]
    meetings: list[PitchMeeting]


def schedule_pitch_day(
    session: Session, *, actor: User, pitch_day_id: int, time_limit: float = 5.0
) -> ScheduleResult:
    """Staff place the wished meetings; locked meetings stay, the rest is recomputed."""
    require_manager(actor)
    day = locked_pitch_day(session, pitch_day_id)
    participants = session.scalars(
        select(PitchParticipant).where(PitchParticipant.pitch_day_id == day.id)
    ).all()
    availability: dict[Hashable, frozenset[int]] = {
        p.organisation_id: frozenset(p.slots) for p in participants
    }
    pairs: dict[tuple[int, int], int] = {}
    refused: set[tuple[int, int]] = set()
    for wish in session.scalars(select(PitchWish).where(PitchWish.pitch_day_id == day.id)):
        key = (
            min(wish.organisation_id, wish.with_organisation_id),
            max(wish.organisation_id, wish.with_organisation_id),
        )
        if wish.no_thanks:
            refused.add(key)
        else:
            pairs[key] = pairs.get(key, 0) + wish.priority
    wishes = [
        scheduler.Wish(n, a, b, weight)
        for n, ((a, b), weight) in enumerate(
            sorted((k, v) for k, v in pairs.items() if k not in refused)
        )
    ]
    wish_of = {(w.a, w.b): w for w in wishes}
    existing = session.scalars(
        select(PitchMeeting).where(PitchMeeting.pitch_day_id == day.id)
    ).all()
    locked = []
    for meeting in existing:
        if not meeting.locked:
            continue
        key = (meeting.first_organisation_id, meeting.second_organisation_id)
        if key not in wish_of:
            kept = scheduler.Wish(len(wishes), key[0], key[1], meeting.priority)
            wishes.append(kept)
            wish_of[key] = kept
        locked.append(scheduler.Placement(wish_of[key].id, meeting.slot, meeting.table_number))
    problem = scheduler.Problem(
        slots=tuple(range(len(day.slot_starts))),
        tables=day.tables,
        availability=availability,
        wishes=tuple(wishes),
        locked=tuple(locked),
    )
    result = scheduler.solve(problem, time_limit=time_limit)
    session.execute(
        delete(PitchMeeting).where(
            PitchMeeting.pitch_day_id == day.id, PitchMeeting.locked.is_(False)
        )
    )
    session.flush()
    by_id = {w.id: w for w in wishes}
    locked_ids = {p.wish_id for p in locked}
    for placement in result.placements:
        if placement.wish_id in locked_ids:
            continue
        placed = by_id[placement.wish_id]
        session.add(
            PitchMeeting(
                pitch_day_id=day.id,
                # participants of a pitch day are organisation ids
                first_organisation_id=cast(int, placed.a),
                second_organisation_id=cast(int, placed.b),
                slot=placement.slot,
                table_number=placement.table,
                priority=placed.weight,
            )
        )
    session.flush()
    unplaced = [
        {
            "organisation_id": by_id[u.wish_id].a,
            "with_organisation_id": by_id[u.wish_id].b,
            "priority": by_id[u.wish_id].weight,
            "reason": u.reason,
            "participant": u.participant,
            "slot": u.slot,
        }
        for u in result.unplaced
    ] + [
        {
            "organisation_id": a,
            "with_organisation_id": b,
            "priority": 0,
            "reason": "no_thanks",
            "participant": None,
            "slot": None,
        }
        for a, b in sorted(refused)
    ]
    day.schedule_report = {
        "at": utcnow().isoformat(),
        "wished": len(wishes),
        "placed": result.placed,
        "upper_bound": result.upper_bound,
        "method": result.method,
        "unplaced": unplaced,
    }
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_scheduled",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"placed": result.placed, "upper_bound": result.upper_bound},
    )
    meetings = list(
        session.scalars(
            select(PitchMeeting)
            .where(PitchMeeting.pitch_day_id == day.id)
            .order_by(PitchMeeting.slot, PitchMeeting.table_number)
        )
    )
    return ScheduleResult(result.placed, result.upper_bound, result.method, unplaced, meetings)


def set_lock(
    session: Session, *, actor: User, pitch_day_id: int, meeting_id: int, locked: bool
) -> PitchMeeting:
    """Staff pin a placed meeting (a new schedule keeps it) or let it move again."""
    require_manager(actor)
    meeting = session.get(PitchMeeting, meeting_id)
    if meeting is None or meeting.pitch_day_id != pitch_day_id:
        raise NotFound(gettext("Pitch meeting not found."))
    meeting.locked = locked
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_meeting_lock",
        entity_type="pitch_meeting",
        entity_id=meeting.id,
        data={"locked": locked},
    )
    return meeting


def unlock_all(session: Session, *, actor: User, pitch_day_id: int) -> int:
    """Staff let every placed meeting move again at the next run; the number unlocked."""
    day = managed_pitch_day(session, actor=actor, pitch_day_id=pitch_day_id)
    meetings = session.scalars(
        select(PitchMeeting).where(
            PitchMeeting.pitch_day_id == day.id, PitchMeeting.locked.is_(True)
        )
    ).all()
    for meeting in meetings:
        meeting.locked = False
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_meetings_unlocked",
        entity_type="pitch_day",
        entity_id=day.id,
        data={"count": len(meetings)},
    )
    return len(meetings)


def publish_pitch_day(session: Session, *, actor: User, pitch_day_id: int) -> PitchDay:
    """Participants see the schedule from now on, and registration closes. Each organisation is
    told how many meetings it has and where its agenda is: at the first publication, and at a
    later one only when its own meetings changed."""
    require_manager(actor)
    day = locked_pitch_day(session, pitch_day_id)
    day.published_at = utcnow()
    session.flush()
    record(
        session,
        actor_id=actor.id,
        action="meetings.pitch_day_published",
        entity_type="pitch_day",
        entity_id=day.id,
    )
    agendas = _agendas(session, day.id)
    participants = session.scalars(
        select(PitchParticipant)
        .where(PitchParticipant.pitch_day_id == day.id)
        .order_by(PitchParticipant.organisation_id)
    )
    for participant in participants:
        agenda = agendas.get(participant.organisation_id, [])
        digest = hashlib.sha256(repr(agenda).encode()).hexdigest()
        if digest == participant.announced_agenda:
            continue
        participant.announced_agenda = digest
        notices.tell_organisation(
            session,
            participant.organisation_id,
            key=f"meetings.pitch_day.{day.id}.published.{day.published_at.isoformat()}",
            context={
                "event": "pitch_day_published",
                "day": day.date.isoformat(),
                "meeting_count": len(agenda),
            },
            link=f"/pitch-days/{day.id}/agenda/{participant.organisation_id}",
        )
    return day


def _agendas(session: Session, pitch_day_id: int) -> dict[int, list[tuple[int, int, int]]]:
    """Each organisation's meetings of the day as (slot, table, the other organisation)."""
    agendas: dict[int, list[tuple[int, int, int]]] = {}
    for first, second, slot, table in session.execute(
        select(
            PitchMeeting.first_organisation_id,
            PitchMeeting.second_organisation_id,
            PitchMeeting.slot,
            PitchMeeting.table_number,
        )
        .where(PitchMeeting.pitch_day_id == pitch_day_id)
        .order_by(PitchMeeting.slot, PitchMeeting.table_number)
    ):
        agendas.setdefault(first, []).append((slot, table, second))
        agendas.setdefault(second, []).append((slot, table, first))
    return agendas


def participant_agenda(
    session: Session, *, actor: User, pitch_day_id: int, organisation_id: int
) -> tuple[PitchDay, list[PitchMeeting]]:
    """One participant's agenda: staff always, its own people once the schedule is published;
    for anyone else the agenda does not exist (404)."""
    day = get_pitch_day(session, pitch_day_id)
    if organisation_id not in people.pitch_participant_ids(session, day.id):
        raise NotFound(gettext("Pitch day participant not found."))
    if not policies.can_see_agenda(session, actor, organisation_id):
        raise NotFound(gettext("Pitch day participant not found."))
    if not policies.can_see_schedule(session, actor, day):
        return day, []
    return day, pitch_meetings(session, day.id, organisation_id)


def pitch_meetings(
    session: Session, pitch_day_id: int, organisation_id: int | None = None
) -> list[PitchMeeting]:
    statement = select(PitchMeeting).where(PitchMeeting.pitch_day_id == pitch_day_id)
    if organisation_id is not None:
        statement = statement.where(
            or_(
                PitchMeeting.first_organisation_id == organisation_id,
                PitchMeeting.second_organisation_id == organisation_id,
            )
        )
    return list(session.scalars(statement.order_by(PitchMeeting.slot, PitchMeeting.table_number)))


@dataclass(frozen=True)
class PitchDayListing:
    day: PitchDay
    participants: int
    mine: tuple[int, ...]  # the caller's organisations registered for the day


def list_pitch_days(
    session: Session, *, actor: User, past_limit: int = 20
) -> tuple[list[PitchDayListing], list[PitchDayListing]]:
    """Days to come (soonest first) and the latest past ones, with their participant counts and
    which of the caller's organisations take part."""
    now = utcnow()
    days = list(session.scalars(select(PitchDay).order_by(PitchDay.date, PitchDay.id)))
    ids = [d.id for d in days]
    counts: dict[int, int] = {}
    mine: dict[int, list[int]] = {}
    own = people.user_organisation_ids(session, actor)
    if ids:
        for pitch_day_id, organisation_id in session.execute(
            select(PitchParticipant.pitch_day_id, PitchParticipant.organisation_id).where(
                PitchParticipant.pitch_day_id.in_(ids)
            )
        ):
            counts[pitch_day_id] = counts.get(pitch_day_id, 0) + 1
            if organisation_id in own:
                mine.setdefault(pitch_day_id, []).append(organisation_id)
    rows = [
        PitchDayListing(d, counts.get(d.id, 0), tuple(sorted(mine.get(d.id, ())))) for d in days
    ]
    upcoming = [r for r in rows if r.day.stage(now) != PitchDayStage.past]
    past = [r for r in reversed(rows) if r.day.stage(now) == PitchDayStage.past]
    return upcoming, past[:past_limit]
