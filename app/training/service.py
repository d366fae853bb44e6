"""Business rules of training: courses and sessions, enrolment with a FIFO waitlist, attendance,
completion and certificates (attendance and certificates in `app.training.certificates`).

Every function that counts seats first locks the session row (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite the request already holds the write lock through `BEGIN IMMEDIATE`), so
the count and the insert happen as one step. The unique seat number per session is the backstop.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app import audit
from app.accounts.models import OrganisationMember, User
from app.bilingual import localized_later
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, NotFound, raise_field_errors
from app.i18n import N_, gettext, ngettext
from app.membership.queries import is_member
from app.notifications.kinds import register_kind
from app.notifications.service import notify
from app.pagination import Paging, paginate
from app.training import policies
from app.training.models import (
    CompletionRule,
    Course,
    Enrolment,
    EnrolmentStatus,
    TrainingSession,
    transition,
)

PROMOTED = register_kind(
    "training.promoted", N_("A training seat became free for you"), essential=True
)
REMINDER = register_kind("training.reminder", N_("Reminders of training sessions"))
ENROLMENT_CONFIRMED = register_kind(
    "training.enrolment_confirmed", N_("Confirmations of enrolments and waitlist places")
)
SESSION_MOVED = register_kind(
    "training.session_moved",
    N_("A training session you hold a place in was moved"),
    essential=True,
)

ACTIVE = (EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted)


# --- Courses and sessions ---------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    refusal = policies.management_refusal(actor)
    if refusal is not None:
        raise refusal


def create_course(session: Session, *, actor: User, values: dict[str, Any]) -> Course:
    """Staff only. `min_sessions` is kept only for the "at least N sessions" rule."""
    _require_manager(actor)
    if values.get("completion_rule") != CompletionRule.at_least:
        values = {**values, "min_sessions": None}
    course = Course(**values, created_by_id=actor.id)
    session.add(course)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.course_created",
        entity_type="training_course",
        entity_id=course.id,
        data={"title": course.title},
    )
    return course


def get_course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(gettext("Course not found."))
    return course


def list_courses(session: Session, *, paging: Paging) -> tuple[list[Course], int]:
    return paginate(
        session, select(Course).order_by(Course.created_at.desc(), Course.id.desc()), paging
    )


def _time_problems(starts_at: datetime, ends_at: datetime, *, now: datetime) -> dict[str, str]:
    problems = {}
    if starts_at <= now:
        problems["starts_at"] = gettext("A session cannot start in the past.")
    if ends_at <= starts_at:
        problems["ends_at"] = gettext("The session must end after it starts.")
    return problems


def _check_times(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    raise_field_errors(_time_problems(starts_at, ends_at, now=now))


def session_problems(values: Mapping[str, Any], *, now: datetime) -> dict[str, str]:
    """Every rule a new session's fields break (times read so far, a place or a link), so a
    form can show them all at once."""
    problems: dict[str, str] = {}
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts_at, datetime) and isinstance(ends_at, datetime):
        problems.update(_time_problems(starts_at, ends_at, now=now))
    if not values.get("location") and not values.get("online_url"):
        problems["location"] = gettext("Give a place or an online link.")
    return problems


def create_session(
    session: Session, *, actor: User, course_id: int, values: dict[str, Any]
) -> TrainingSession:
    """Staff only. End after start, no start in the past, capacity ≥ 1, a place or an online
    link (422)."""
    _require_manager(actor)
    course = get_course(session, course_id)
    values = _normalise_session_values(values)
    raise_field_errors(session_problems(values, now=utcnow()))
    training_session = TrainingSession(course_id=course.id, **values)
    session.add(training_session)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.session_created",
        entity_type="training_session",
        entity_id=training_session.id,
        data={"course_id": course.id, "capacity": training_session.capacity},
    )
    return training_session


def _normalise_session_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if cleaned.get("online_url") is not None:
        cleaned["online_url"] = str(cleaned["online_url"])
    if cleaned.get("location") == "":
        cleaned["location"] = None
    if "translations" in cleaned and cleaned["translations"] is None:
        del cleaned["translations"]  # not sent: the session keeps its translations
    return cleaned


def get_session(session: Session, session_id: int) -> TrainingSession:
    """The session with its course (every caller shows or checks the course)."""
    training_session = session.get(
        TrainingSession, session_id, options=[joinedload(TrainingSession.course)]
    )
    if training_session is None:
        raise NotFound(gettext("Session not found."))
    return training_session


def lock_session(session: Session, session_id: int) -> TrainingSession:
    """The session row, locked until the transaction ends (PostgreSQL); SQLite serialises
    writers already (`BEGIN IMMEDIATE`), and SQLAlchemy drops FOR UPDATE there."""
    training_session = session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if training_session is None:
        raise NotFound(gettext("Session not found."))
    return training_session


def update_session(
    session: Session, *, actor: User, session_id: int, values: dict[str, Any]
) -> TrainingSession:
    """Staff only. Capacity may not drop below the number already enrolled (409 with the
    figures); a larger capacity promotes waitlisted people at once. New times follow the
    creation rules."""
    _require_manager(actor)
    training_session = lock_session(session, session_id)
    values = _normalise_session_values(values)
    if "starts_at" in values or "ends_at" in values:
        _check_times(
            values.get("starts_at", training_session.starts_at),
            values.get("ends_at", training_session.ends_at),
            now=utcnow(),
        )
    if "capacity" in values:
        if values["capacity"] is None:
            raise FieldError("capacity", gettext("The capacity must be at least 1."))
        enrolled = count_enrolled(session, training_session.id)
        if values["capacity"] < enrolled:
            raise Conflict(
                gettext(
                    "The capacity cannot be %(capacity)s: %(enrolled)s people are already "
                    "enrolled. Cancel enrolments first or choose at least %(enrolled)s.",
                    capacity=values["capacity"],
                    enrolled=enrolled,
                )
            )
    old_start = training_session.starts_at
    for key, value in values.items():
        setattr(training_session, key, value)
    location = training_session.location
    if not location and not training_session.online_url:
        raise FieldError("location", gettext("Give a place or an online link."))
    session.flush()
    _compact_seats(session, training_session)
    audit.record(
        session,
        actor_id=actor.id,
        action="training.session_updated",
        entity_type="training_session",
        entity_id=training_session.id,
        data={k: str(v) for k, v in values.items()},
    )
    promote_waitlist(session, training_session, actor=actor)
    if training_session.starts_at != old_start:
        _tell_about_new_time(session, training_session)
    return training_session


def session_context(training_session: TrainingSession) -> dict[str, Any]:
    """What the session emails say about a session: course, start and place."""
    return {
        "course_title": localized_later(training_session.course, "title"),
        "starts_at": training_session.starts_at,
        "location": (
            localized_later(training_session, "location")
            if training_session.location
            else training_session.online_url or ""
        ),
    }


def _tell_about_new_time(session: Session, training_session: TrainingSession) -> None:
    """Everyone holding a seat or a waitlist place hears of the new time, and is reminded again
    before it (a reminder sent for the old time no longer counts)."""
    places = session.scalars(
        select(Enrolment)
        .where(
            Enrolment.session_id == training_session.id,
            Enrolment.status.in_((EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted)),
        )
        .options(selectinload(Enrolment.user))
    ).all()
    for enrolment in places:
        enrolment.reminder_sent_at = None
        notify(
            session,
            recipient=enrolment.user,
            kind=SESSION_MOVED,
            template="training/moved",
            key=f"training.moved.{enrolment.id}.{training_session.starts_at.isoformat()}",
            context=session_context(training_session),
            link=f"/sessions/{training_session.id}",
        )
    session.flush()


def _compact_seats(session: Session, training_session: TrainingSession) -> None:
    """After a capacity cut, move people holding seat numbers above it into free lower seats."""
    rows = session.scalars(
        select(Enrolment).where(
            Enrolment.session_id == training_session.id,
            Enrolment.status == EnrolmentStatus.enrolled,
            Enrolment.seat_number > training_session.capacity,
        )
    ).all()
    for enrolment in rows:
        enrolment.seat_number = _free_seat(session, training_session)
        session.flush()


@dataclass(frozen=True)
class SeatCounts:
    enrolled: int = 0
    waitlisted: int = 0


def seat_counts(session: Session, session_ids: list[int]) -> dict[int, SeatCounts]:
    if not session_ids:
        return {}
    rows = session.execute(
        select(Enrolment.session_id, Enrolment.status, func.count(Enrolment.id))
        .where(Enrolment.session_id.in_(session_ids), Enrolment.status.in_(ACTIVE))
        .group_by(Enrolment.session_id, Enrolment.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for session_id, status, number in rows:
        counts.setdefault(session_id, {})[EnrolmentStatus(status).value] = number
    return {
        sid: SeatCounts(
            counts.get(sid, {}).get("enrolled", 0), counts.get(sid, {}).get("waitlisted", 0)
        )
        for sid in session_ids
    }


def count_enrolled(session: Session, session_id: int) -> int:
    return seat_counts(session, [session_id])[session_id].enrolled


def list_sessions(
    session: Session, *, upcoming: bool, paging: Paging, course_id: int | None = None
) -> tuple[list[TrainingSession], int]:
    statement = select(TrainingSession)
    if upcoming:
        statement = statement.where(TrainingSession.starts_at > utcnow())
    if course_id is not None:
        statement = statement.where(TrainingSession.course_id == course_id)
    return paginate(
        session,
        statement.order_by(TrainingSession.starts_at, TrainingSession.id),
        paging,
        options=[joinedload(TrainingSession.course)],
    )


# --- Enrolment and the waitlist ---------------------------------------------------------------


def _free_seat(session: Session, training_session: TrainingSession) -> int:
    taken = set(
        session.scalars(
            select(Enrolment.seat_number).where(
                Enrolment.session_id == training_session.id, Enrolment.seat_number.is_not(None)
            )
        )
    )
    for seat in range(1, training_session.capacity + 1):
        if seat not in taken:
            return seat
    raise Conflict(gettext("The session is full."))


def _next_queue_number(session: Session, session_id: int) -> int:
    highest = session.scalar(
        select(func.max(Enrolment.queue_number)).where(Enrolment.session_id == session_id)
    )
    return (highest or 0) + 1


def waitlist_position(session: Session, enrolment: Enrolment) -> int | None:
    """1 for the first person waiting; None when not on the waitlist."""
    if enrolment.status != EnrolmentStatus.waitlisted or enrolment.queue_number is None:
        return None
    ahead = (
        session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.session_id == enrolment.session_id,
                Enrolment.status == EnrolmentStatus.waitlisted,
                Enrolment.queue_number < enrolment.queue_number,
            )
        )
        or 0
    )
    return ahead + 1


def _waitlist_ranks(rows: Iterable[tuple[int, int, int | None]]) -> dict[int, int]:
    """Enrolment id -> place (1 = first) among waitlisted `(id, session_id, queue_number)` rows:
    the same figure as `waitlist_position`, since queue numbers are unique per session."""
    queues: dict[int, list[tuple[int, int]]] = {}
    for enrolment_id, session_id, queue_number in rows:
        if queue_number is not None:
            queues.setdefault(session_id, []).append((queue_number, enrolment_id))
    return {
        enrolment_id: place
        for queue in queues.values()
        for place, (_number, enrolment_id) in enumerate(sorted(queue), start=1)
    }


def roster_waitlist_positions(roster: Iterable[Enrolment]) -> dict[int, int]:
    """`waitlist_position` of everyone waiting on a whole roster (`enrolments_of_session`),
    without a query: enrolment id -> place."""
    return _waitlist_ranks(
        (e.id, e.session_id, e.queue_number)
        for e in roster
        if e.status == EnrolmentStatus.waitlisted
    )


def waitlist_positions(session: Session, enrolments: Iterable[Enrolment]) -> dict[int, int]:
    """`waitlist_position` of many enrolments (any sessions) in at most one query: enrolment id
    -> place; enrolments not on a waitlist are absent."""
    session_ids = {
        e.session_id
        for e in enrolments
        if e.status == EnrolmentStatus.waitlisted and e.queue_number is not None
    }
    if not session_ids:
        return {}
    rows = session.execute(
        select(Enrolment.id, Enrolment.session_id, Enrolment.queue_number).where(
            Enrolment.session_id.in_(session_ids),
            Enrolment.status == EnrolmentStatus.waitlisted,
        )
    )
    return _waitlist_ranks(rows)


def _first_organisation(session: Session, user_id: int) -> int | None:
    return session.scalar(
        select(OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id == user_id)
        .order_by(OrganisationMember.organisation_id)
        .limit(1)
    )


def enrol(
    session: Session, *, actor: User, session_id: int, user_id: int | None = None
) -> Enrolment:
    """Enrol the caller, or a colleague of an organisation the caller owns (else 403).

    Members-only courses refuse non-members (403 with the reason). Enrolment closes when the
    session starts (409); a second active enrolment is a 409; the optional per-company cap
    counts seats and waitlist places of the same organisation (409). A free seat is taken when
    there is one, otherwise the person joins the end of the waitlist.
    """
    training_session = get_session(session, session_id)
    course = training_session.course
    organisation_id: int | None
    if user_id is None or user_id == actor.id:
        target = actor
        organisation_id = _first_organisation(session, actor.id)
    else:
        shared = policies.shared_owned_organisations(session, actor, user_id)
        colleague = session.get(User, user_id)
        if not shared or colleague is None or not colleague.is_active:
            raise Forbidden(gettext("You can enrol only colleagues from an organisation you own."))
        target = colleague
        organisation_id = shared[0]
    if course.members_only and not is_member(session, target):
        if target is actor:
            raise Forbidden(
                gettext(
                    "This course is for cluster members only, and none of your organisations has "
                    "an active membership."
                )
            )
        raise Forbidden(
            gettext(
                "This course is for cluster members only, and %(name)s does not belong to a member "
                "organisation.",
                name=target.full_name,
            )
        )

    training_session = lock_session(session, session_id)
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.session_id == session_id, Enrolment.user_id == target.id)
    )
    refusal = policies.enrolment_refusal(training_session, enrolment, now=utcnow())
    if refusal is not None:
        raise refusal
    if training_session.company_cap is not None and organisation_id is not None:
        used = (
            session.scalar(
                select(func.count(Enrolment.id)).where(
                    Enrolment.session_id == session_id,
                    Enrolment.organisation_id == organisation_id,
                    Enrolment.status.in_(ACTIVE),
                )
            )
            or 0
        )
        if used >= training_session.company_cap:
            raise Conflict(
                ngettext(
                    "Your company already has %(num)s place in this session, the most allowed.",
                    "Your company already has %(num)s places in this session, the most allowed.",
                    training_session.company_cap,
                )
            )

    if enrolment is None:
        enrolment = Enrolment(
            session_id=session_id, user_id=target.id, status=EnrolmentStatus.cancelled
        )
        session.add(enrolment)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError as exc:
            raise Conflict(gettext("Already enrolled in this session.")) from exc
    enrolment.organisation_id = organisation_id
    enrolment.enrolled_by_id = actor.id
    enrolment.attended = None
    enrolment.attendance_marked_at = None
    enrolment.reminder_sent_at = None
    seat = queue = None
    if count_enrolled(session, session_id) < training_session.capacity:
        seat = _free_seat(session, training_session)
        to = EnrolmentStatus.enrolled
    else:
        queue = _next_queue_number(session, session_id)
        to = EnrolmentStatus.waitlisted
    try:
        with session.begin_nested():
            transition(
                session,
                enrolment,
                to,
                actor=actor,
                action=f"enrol_{to.value}",
                seat_number=seat,
                queue_number=queue,
            )
    except IntegrityError as exc:
        raise Conflict(gettext("The seat was taken at the same moment; please try again.")) from exc
    _confirm_enrolment(session, enrolment, training_session)
    return enrolment


def _confirm_enrolment(
    session: Session, enrolment: Enrolment, training_session: TrainingSession
) -> None:
    """The person enrolled (or put on the waitlist) hears at once what they hold."""
    waitlisted = enrolment.status == EnrolmentStatus.waitlisted
    notify(
        session,
        recipient=enrolment.user,
        kind=ENROLMENT_CONFIRMED,
        template="training/waitlisted" if waitlisted else "training/enrolled",
        key=f"training.confirmed.{enrolment.id}.{enrolment.updated_at.isoformat()}",
        context={
            **session_context(training_session),
            "seat_number": enrolment.seat_number,
            "queue_position": waitlist_position(session, enrolment) if waitlisted else None,
        },
        link=f"/sessions/{training_session.id}",
    )


def cancel_mine(session: Session, *, actor: User, session_id: int) -> Enrolment:
    """Give up a seat (before the session starts, else 409) or leave the waitlist (any time).
    A freed seat goes at once to the first person on the waitlist, who is told by email."""
    training_session = lock_session(session, session_id)
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.session_id == session_id,
            Enrolment.user_id == actor.id,
            Enrolment.status.in_(ACTIVE),
        )
    )
    if enrolment is None:
        raise NotFound(gettext("You are not enrolled in this session."))
    refusal = policies.cancellation_refusal(training_session, enrolment, now=utcnow())
    if refusal is not None:
        raise refusal
    was_enrolled = enrolment.status == EnrolmentStatus.enrolled
    transition(
        session,
        enrolment,
        EnrolmentStatus.cancelled,
        actor=actor,
        action="cancelled" if was_enrolled else "left_waitlist",
    )
    if was_enrolled:
        promote_waitlist(session, training_session, actor=actor)
    return enrolment


def promote_waitlist(
    session: Session, training_session: TrainingSession, *, actor: User | None
) -> list[Enrolment]:
    """Fill free seats from the waitlist, first come first served, and tell each person.
    The caller holds the session lock."""
    if training_session.starts_at <= utcnow():
        return []
    promoted: list[Enrolment] = []
    while count_enrolled(session, training_session.id) < training_session.capacity:
        first = session.scalar(
            select(Enrolment)
            .where(
                Enrolment.session_id == training_session.id,
                Enrolment.status == EnrolmentStatus.waitlisted,
            )
            .order_by(Enrolment.queue_number)
            .limit(1)
        )
        if first is None:
            break
        seat = _free_seat(session, training_session)
        transition(
            session,
            first,
            EnrolmentStatus.enrolled,
            actor=actor,
            action="promoted",
            seat_number=seat,
        )
        notify(
            session,
            recipient=first.user,
            kind=PROMOTED,
            template="training/promoted",
            key=f"training.promoted.{first.id}.{first.updated_at.isoformat()}",
            context=session_context(training_session),
            link=f"/sessions/{training_session.id}",
        )
        promoted.append(first)
    return promoted


def release_places(session: Session, *, actor: User, user: User) -> None:
    """A leaving person gives up their seats in sessions yet to start and every waitlist place;
    each freed seat goes to the first person waiting, who is told. Past seats (attendance,
    certificates) stay."""
    held = session.execute(
        select(Enrolment.id, Enrolment.session_id)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(
            Enrolment.user_id == user.id,
            (Enrolment.status == EnrolmentStatus.waitlisted)
            | (
                (Enrolment.status == EnrolmentStatus.enrolled)
                & (TrainingSession.starts_at > utcnow())
            ),
        )
        .order_by(Enrolment.session_id)  # one lock order for every caller
    ).all()
    for enrolment_id, session_id in held:
        training_session = lock_session(session, session_id)
        enrolment = session.get(Enrolment, enrolment_id, populate_existing=True)
        if enrolment is None or enrolment.status not in ACTIVE:
            continue
        was_enrolled = enrolment.status == EnrolmentStatus.enrolled
        transition(session, enrolment, EnrolmentStatus.cancelled, actor=actor, action="released")
        if was_enrolled:
            promote_waitlist(session, training_session, actor=actor)


def enrolments_of_session(session: Session, session_id: int) -> list[Enrolment]:
    """Seats first (by seat), then the waitlist in order, then cancellations."""
    rows = session.scalars(
        select(Enrolment)
        .options(joinedload(Enrolment.user).lazyload(User.role_rows))
        .where(Enrolment.session_id == session_id)
        .order_by(Enrolment.id)
    ).all()
    order = {
        EnrolmentStatus.enrolled: 0,
        EnrolmentStatus.waitlisted: 1,
        EnrolmentStatus.cancelled: 2,
    }
    return sorted(
        rows, key=lambda e: (order[e.status], e.seat_number or 0, e.queue_number or 0, e.id)
    )


def enrolments_of_user(
    session: Session, user: User, *, session_ids: Collection[int] | None = None
) -> list[Enrolment]:
    """The user's seats and waitlist places, in time order (of the given sessions only)."""
    statement = _enrolments_of(user)
    if session_ids is not None:
        statement = statement.where(Enrolment.session_id.in_(session_ids))
    return list(session.scalars(statement.order_by(TrainingSession.starts_at)))


@dataclass(frozen=True)
class MyTrainings:
    upcoming: list[Enrolment]  # sessions not yet over, soonest first
    past: list[Enrolment]  # one page of the sessions that are over, latest first
    past_total: int


def my_trainings(session: Session, user: User, *, past_paging: Paging) -> MyTrainings:
    """Every upcoming session of the user, and one page of the past ones."""
    now = utcnow()
    upcoming = _enrolments_of(user).where(TrainingSession.ends_at > now)
    past = _enrolments_of(user).where(TrainingSession.ends_at <= now)
    past_page, past_total = paginate(
        session, past.order_by(TrainingSession.starts_at.desc(), Enrolment.id), past_paging
    )
    return MyTrainings(
        upcoming=list(session.scalars(upcoming.order_by(TrainingSession.starts_at))),
        past=past_page,
        past_total=past_total,
    )


def _enrolments_of(user: User) -> Select[Enrolment]:
    return (
        select(Enrolment)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .options(joinedload(Enrolment.session).joinedload(TrainingSession.course))
        .where(Enrolment.user_id == user.id, Enrolment.status.in_(ACTIVE))
    )
