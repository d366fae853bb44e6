"""Business rules of training: courses and sessions, enrolment with a FIFO waitlist, attendance,
completion and certificates.

Every function that counts seats first locks the session row (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite the request already holds the write lock through `BEGIN IMMEDIATE`), so
the count and the insert happen as one step. The unique seat number per session is the backstop.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app import audit
from app.accounts.models import OrganisationMember, User
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, InvalidTransition, NotFound
from app.i18n import N_, gettext
from app.membership.queries import is_member
from app.notifications.kinds import register_kind
from app.notifications.service import notify
from app.training import policies
from app.training.models import (
    Certificate,
    CompletionRule,
    Course,
    Enrolment,
    EnrolmentStatus,
    TrainingSession,
)

PROMOTED = register_kind(
    "training.promoted", N_("A training seat became free for you"), essential=True
)
REMINDER = register_kind("training.reminder", N_("Reminders of training sessions"))
SESSION_MOVED = register_kind(
    "training.session_moved",
    N_("A training session you hold a place in was moved"),
    essential=True,
)
CERTIFICATE_ISSUED = register_kind(
    "training.certificate", N_("Training certificates"), essential=True
)

_CERTIFICATE_LOCK_KEY = 0x74726365  # "trce"

ACTIVE = (EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted)

TRANSITIONS: dict[EnrolmentStatus, set[EnrolmentStatus]] = {
    EnrolmentStatus.enrolled: {EnrolmentStatus.cancelled},
    EnrolmentStatus.waitlisted: {EnrolmentStatus.enrolled, EnrolmentStatus.cancelled},
    EnrolmentStatus.cancelled: {EnrolmentStatus.enrolled, EnrolmentStatus.waitlisted},
}


def transition(
    session: Session,
    enrolment: Enrolment,
    to: EnrolmentStatus,
    *,
    actor: User | None,
    action: str,
    seat_number: int | None = None,
    queue_number: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move an enrolment to `to` with its new seat or waitlist number (the database checks that
    they match the state), or refuse (409); the audit row records who and why."""
    source = enrolment.status
    if to not in TRANSITIONS.get(source, set()):
        raise InvalidTransition(gettext("This enrolment cannot change to that state."))
    enrolment.status = to
    enrolment.seat_number = seat_number
    enrolment.queue_number = queue_number
    enrolment.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"training.{action}",
        entity_type="training_enrolment",
        entity_id=enrolment.id,
        data={
            "from": source.value,
            "to": to.value,
            "session_id": enrolment.session_id,
            "user_id": enrolment.user_id,
            "seat": seat_number,
            "queue": queue_number,
            **(data or {}),
        },
    )


# --- Courses and sessions ---------------------------------------------------------------------


def create_course(session: Session, *, actor: User, values: dict[str, Any]) -> Course:
    """Staff only. `min_sessions` is kept only for the "at least N sessions" rule."""
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


def list_courses(session: Session, *, limit: int, offset: int) -> tuple[list[Course], int]:
    total = session.scalar(select(func.count(Course.id))) or 0
    rows = session.scalars(
        select(Course)
        .order_by(Course.created_at.desc(), Course.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def _check_times(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    if starts_at <= now:
        raise FieldError("starts_at", gettext("A session cannot start in the past."))
    if ends_at <= starts_at:
        raise FieldError("ends_at", gettext("The session must end after it starts."))


def create_session(
    session: Session, *, actor: User, course_id: int, values: dict[str, Any]
) -> TrainingSession:
    """End after start, no start in the past, capacity ≥ 1, a place or an online link (422)."""
    course = get_course(session, course_id)
    values = _normalise_session_values(values)
    _check_times(values["starts_at"], values["ends_at"], now=utcnow())
    if not values.get("location") and not values.get("online_url"):
        raise FieldError("location", gettext("Give a place or an online link."))
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
    """Capacity may not drop below the number already enrolled (409 with the figures); a larger
    capacity promotes waitlisted people at once. New times follow the creation rules."""
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
        "course_title": training_session.course.title,
        "starts_at": training_session.starts_at,
        "location": training_session.location or training_session.online_url or "",
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
    session: Session, *, upcoming: bool, limit: int, offset: int, course_id: int | None = None
) -> tuple[list[TrainingSession], int]:
    statement = select(TrainingSession)
    if upcoming:
        statement = statement.where(TrainingSession.starts_at > utcnow())
    if course_id is not None:
        statement = statement.where(TrainingSession.course_id == course_id)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(
        statement.options(joinedload(TrainingSession.course))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


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
    if training_session.starts_at <= utcnow():
        raise Conflict(gettext("Enrolment is closed: the session has already started."))
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.session_id == session_id, Enrolment.user_id == target.id)
    )
    if enrolment is not None and enrolment.status == EnrolmentStatus.enrolled:
        raise Conflict(gettext("Already enrolled in this session."))
    if enrolment is not None and enrolment.status == EnrolmentStatus.waitlisted:
        raise Conflict(gettext("Already on the waitlist of this session."))
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
                gettext(
                    "Your company already has %(cap)s places in this session, the most allowed.",
                    cap=training_session.company_cap,
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
    return enrolment


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
    was_enrolled = enrolment.status == EnrolmentStatus.enrolled
    if was_enrolled and training_session.starts_at <= utcnow():
        raise Conflict(gettext("The session has already started; the seat cannot be given up."))
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


def my_trainings(session: Session, user: User, *, limit: int, offset: int = 0) -> MyTrainings:
    """Every upcoming session of the user, and one page of the past ones."""
    now = utcnow()
    upcoming = _enrolments_of(user).where(TrainingSession.ends_at > now)
    past = _enrolments_of(user).where(TrainingSession.ends_at <= now)
    return MyTrainings(
        upcoming=list(session.scalars(upcoming.order_by(TrainingSession.starts_at))),
        past=list(
            session.scalars(
                past.order_by(TrainingSession.starts_at.desc(), Enrolment.id)
                .limit(limit)
                .offset(offset)
            )
        ),
        past_total=session.scalar(select(func.count()).select_from(past.subquery())) or 0,
    )


def _enrolments_of(user: User) -> Select[Enrolment]:
    return (
        select(Enrolment)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .options(joinedload(Enrolment.session).joinedload(TrainingSession.course))
        .where(Enrolment.user_id == user.id, Enrolment.status.in_(ACTIVE))
    )


# --- Attendance, completion, certificates -----------------------------------------------------


def mark_attendance(
    session: Session, *, actor: User, session_id: int, user_id: int, attended: bool
) -> tuple[Enrolment, Certificate | None]:
    """Staff mark an enrolled person as attended or no-show once the session has started (409
    before). When the course's completion rule is then met, a numbered certificate is issued."""
    training_session = get_session(session, session_id)
    if training_session.starts_at > utcnow():
        raise Conflict(gettext("Attendance can be marked once the session has started."))
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.session_id == session_id,
            Enrolment.user_id == user_id,
            Enrolment.status == EnrolmentStatus.enrolled,
        )
    )
    if enrolment is None:
        raise NotFound(gettext("This person is not enrolled in this session."))
    enrolment.attended = attended
    enrolment.attendance_marked_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="training.attendance_marked",
        entity_type="training_enrolment",
        entity_id=enrolment.id,
        data={"attended": attended, "session_id": session_id, "user_id": user_id},
    )
    certificate = None
    if has_completed(session, training_session.course, user_id):
        certificate = issue_certificate(
            session, course=training_session.course, user_id=user_id, actor=actor
        )
    return enrolment, certificate


def attended_count(session: Session, course_id: int, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Enrolment.id))
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .where(
                TrainingSession.course_id == course_id,
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.enrolled,
                Enrolment.attended.is_(True),
            )
        )
        or 0
    )


def has_completed(session: Session, course: Course, user_id: int) -> bool:
    """ "All sessions": attended every session of the course; "at least N": attended N of them."""
    attended = attended_count(session, course.id, user_id)
    if course.completion_rule == CompletionRule.at_least:
        return attended >= (course.min_sessions or 1)
    total = (
        session.scalar(
            select(func.count(TrainingSession.id)).where(TrainingSession.course_id == course.id)
        )
        or 0
    )
    return total > 0 and attended >= total


def certificate_of(session: Session, course_id: int, user_id: int) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.course_id == course_id, Certificate.user_id == user_id
        )
    )


def issue_certificate(
    session: Session, *, course: Course, user_id: int, actor: User | None
) -> Certificate:
    """Once per person and course; numbers run per year across courses (`BP-2026-0007` for the
    investor-readiness course, `TR-…` for others). Numbering is serialised by an advisory lock
    on PostgreSQL and by the write lock on SQLite."""
    existing = certificate_of(session, course.id, user_id)
    if existing is not None:
        return existing
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CERTIFICATE_LOCK_KEY})
    now = utcnow()
    sequence = (
        session.scalar(select(func.max(Certificate.sequence)).where(Certificate.year == now.year))
        or 0
    ) + 1
    prefix = "BP" if course.investor_readiness else "TR"
    certificate = Certificate(
        course_id=course.id,
        user_id=user_id,
        year=now.year,
        sequence=sequence,
        number=f"{prefix}-{now.year}-{sequence:04d}",
        verify_code=secrets.token_urlsafe(16),
        issued_at=now,
    )
    session.add(certificate)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="training.certificate_issued",
        entity_type="training_certificate",
        entity_id=certificate.id,
        data={"number": certificate.number, "course_id": course.id, "user_id": user_id},
    )
    recipient = session.get(User, user_id)
    if recipient is not None:
        notify(
            session,
            recipient=recipient,
            kind=CERTIFICATE_ISSUED,
            template="training/certificate",
            key=f"training.certificate.{certificate.id}",
            context={"course_title": course.title, "number": certificate.number},
            link=f"/verify/{certificate.verify_code}",
        )
    return certificate


def certificates_of_user(session: Session, user_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .options(joinedload(Certificate.course))
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at)
        )
    )
