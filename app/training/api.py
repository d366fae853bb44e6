"""JSON routes: /api/v1/courses, /api/v1/sessions, enrolments, attendance, calendars."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, OptionalUser, StaffUser
from app.deps import PagingDep, SessionDep
from app.errors import NotFound
from app.i18n import gettext
from app.schemas import Page
from app.templating import absolute_url
from app.training import (  # queries registers the verify resolver
    calendar,
    certificates,
    queries,
    service,
)
from app.training.models import Certificate, Course, Enrolment, TrainingSession
from app.training.schemas import (
    AttendanceIn,
    AttendanceOut,
    CalendarFeedOut,
    CertificateOut,
    CourseDetailOut,
    CourseIn,
    CourseOut,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentRowOut,
    SessionIn,
    SessionOut,
    SessionUpdateIn,
)

__all__ = ["queries", "router"]

router = APIRouter(prefix="/api/v1", tags=["training"])

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def session_out(training_session: TrainingSession, counts: service.SeatCounts) -> SessionOut:
    return SessionOut(
        id=training_session.id,
        course_id=training_session.course_id,
        course_title=training_session.course.title,
        members_only=training_session.course.members_only,
        starts_at=training_session.starts_at,
        ends_at=training_session.ends_at,
        capacity=training_session.capacity,
        location=training_session.location,
        online_url=training_session.online_url,
        company_cap=training_session.company_cap,
        translations=training_session.translations or {},
        enrolled=counts.enrolled,
        seats_left=max(0, training_session.capacity - counts.enrolled),
        waitlist_length=counts.waitlisted,
    )


def sessions_out(session: Session, rows: list[TrainingSession]) -> list[SessionOut]:
    counts = service.seat_counts(session, [s.id for s in rows])
    return [session_out(s, counts[s.id]) for s in rows]


def enrolment_out(
    session: Session, enrolment: Enrolment, positions: dict[int, int] | None = None
) -> EnrolmentOut:
    """`positions`: the waitlist places of a whole roster, known already (no query)."""
    return EnrolmentOut(
        id=enrolment.id,
        session_id=enrolment.session_id,
        user_id=enrolment.user_id,
        status=enrolment.status,
        position=service.waitlist_position(session, enrolment)
        if positions is None
        else positions.get(enrolment.id),
        attended=enrolment.attended,
    )


def certificate_out(certificate: Certificate) -> CertificateOut:
    return CertificateOut(
        id=certificate.id,
        course_id=certificate.course_id,
        user_id=certificate.user_id,
        number=certificate.number,
        verify_code=certificate.verify_code,
        verify_url=absolute_url(f"/verify/{certificate.verify_code}"),
        issued_at=certificate.issued_at,
        status="revoked" if certificate.is_revoked else "valid",
        revoked_at=certificate.revoked_at,
    )


@router.post("/courses", status_code=status.HTTP_201_CREATED, response_model=CourseOut)
def create_course(body: CourseIn, user: StaffUser, session: SessionDep) -> Course:
    return service.create_course(session, actor=user, values=body.model_dump())


@router.get("/courses", response_model=Page[CourseOut])
def list_courses(paging: PagingDep, session: SessionDep) -> Page[CourseOut]:
    rows, total = service.list_courses(session, paging=paging)
    return Page(items=[CourseOut.model_validate(c) for c in rows], total=total)


@router.get("/courses/{course_id}", response_model=CourseDetailOut)
def get_course(course_id: int, session: SessionDep) -> CourseDetailOut:
    course = service.get_course(session, course_id)
    return CourseDetailOut(
        **CourseOut.model_validate(course).model_dump(),
        sessions=sessions_out(session, list(course.sessions)),
    )


@router.post(
    "/courses/{course_id}/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut
)
def create_session(
    course_id: int, body: SessionIn, user: StaffUser, session: SessionDep
) -> SessionOut:
    training_session = service.create_session(
        session, actor=user, course_id=course_id, values=body.model_dump()
    )
    return session_out(training_session, service.SeatCounts())


@router.get("/sessions", response_model=Page[SessionOut])
def list_sessions(
    paging: PagingDep,
    session: SessionDep,
    upcoming: bool = False,
    course_id: Annotated[int | None, Query(ge=1)] = None,
) -> Page[SessionOut]:
    rows, total = service.list_sessions(
        session, upcoming=upcoming, course_id=course_id, paging=paging
    )
    return Page(items=sessions_out(session, rows), total=total)


@router.get("/sessions/{session_id}", response_model=SessionOut)
def get_session(session_id: int, session: SessionDep) -> SessionOut:
    return sessions_out(session, [service.get_session(session, session_id)])[0]


@router.patch("/sessions/{session_id}", response_model=SessionOut)
def update_session(
    session_id: int, body: SessionUpdateIn, user: StaffUser, session: SessionDep
) -> SessionOut:
    training_session = service.update_session(
        session, actor=user, session_id=session_id, values=body.model_dump(exclude_unset=True)
    )
    return sessions_out(session, [training_session])[0]


@router.post(
    "/sessions/{session_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
)
def enrol(
    session_id: int, user: CurrentUser, session: SessionDep, body: EnrolmentIn | None = None
) -> EnrolmentOut:
    enrolment = service.enrol(
        session, actor=user, session_id=session_id, user_id=body.user_id if body else None
    )
    return enrolment_out(session, enrolment)


@router.get("/sessions/{session_id}/enrolments", response_model=Page[EnrolmentRowOut])
def list_enrolments(session_id: int, user: StaffUser, session: SessionDep) -> Page[EnrolmentRowOut]:
    service.get_session(session, session_id)
    rows = service.enrolments_of_session(session, session_id)
    positions = service.roster_waitlist_positions(rows)
    items = [
        EnrolmentRowOut(
            **enrolment_out(session, e, positions).model_dump(),
            full_name=e.user.full_name,
            email=e.user.email,
            organisation_id=e.organisation_id,
        )
        for e in rows
    ]
    return Page(items=items, total=len(items))


@router.get("/sessions/{session_id}/enrolments/mine", response_model=EnrolmentOut)
def my_enrolment(session_id: int, user: CurrentUser, session: SessionDep) -> EnrolmentOut:
    found = service.enrolments_of_user(session, user, session_ids=[session_id])
    if found:
        return enrolment_out(session, found[0])
    raise NotFound(gettext("You are not enrolled in this session."))


@router.delete("/sessions/{session_id}/enrolments/mine", response_model=EnrolmentOut)
def cancel_my_enrolment(session_id: int, user: CurrentUser, session: SessionDep) -> EnrolmentOut:
    enrolment = service.cancel_mine(session, actor=user, session_id=session_id)
    return enrolment_out(session, enrolment)


@router.post("/sessions/{session_id}/attendance", response_model=AttendanceOut)
def mark_attendance(
    session_id: int, body: AttendanceIn, user: StaffUser, session: SessionDep
) -> AttendanceOut:
    marked = certificates.mark_attendance(
        session, actor=user, session_id=session_id, user_id=body.user_id, attended=body.attended
    )
    enrolment = marked.enrolment
    return AttendanceOut(
        **enrolment_out(session, enrolment).model_dump(),
        completed=certificates.has_completed(session, enrolment.session.course, enrolment.user_id),
        certificate=certificate_out(marked.certificate) if marked.certificate else None,
    )


@router.get("/me/certificates", response_model=Page[CertificateOut])
def my_certificates(user: CurrentUser, session: SessionDep) -> Page[CertificateOut]:
    rows = certificates.certificates_of_user(session, user.id)
    return Page(items=[certificate_out(c) for c in rows], total=len(rows))


@router.get("/sessions/{session_id}/calendar.ics", response_class=Response)
def session_calendar(session_id: int, user: OptionalUser, session: SessionDep) -> Response:
    training_session = service.get_session(session, session_id)
    body = calendar.build_calendar([calendar.session_event(training_session)])
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="session-{session_id}.ics"'},
    )


@router.post(
    "/me/calendar-feed", status_code=status.HTTP_201_CREATED, response_model=CalendarFeedOut
)
def issue_calendar_feed(user: CurrentUser, session: SessionDep) -> CalendarFeedOut:
    token = calendar.issue_feed_token(session, actor=user)
    return CalendarFeedOut(url=calendar.feed_url(token))


@router.delete("/me/calendar-feed", status_code=status.HTTP_204_NO_CONTENT)
def revoke_calendar_feed(user: CurrentUser, session: SessionDep) -> Response:
    calendar.revoke_feed_token(session, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
