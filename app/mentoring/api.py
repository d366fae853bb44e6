"""JSON routes: /api/v1/mentorships and their sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, StaffUser
from app.deps import PagingDep, SessionDep
from app.mentoring import service
from app.mentoring.models import Mentorship
from app.mentoring.schemas import (
    MentoringSessionIn,
    MentoringSessionOut,
    MentorshipIn,
    MentorshipOut,
)
from app.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["mentoring"])


def mentorships_out(session: Session, mentorships: list[Mentorship]) -> list[MentorshipOut]:
    totals = service.session_totals(session, [m.id for m in mentorships])
    return [
        MentorshipOut(
            id=m.id,
            organisation_id=m.organisation_id,
            organisation_name=m.organisation.name,
            mentor_id=m.mentor_id,
            mentor_name=m.mentor.full_name,
            status=m.status,
            created_at=m.created_at,
            sessions_count=totals[m.id][0],
            minutes_total=totals[m.id][1],
        )
        for m in mentorships
    ]


@router.post("/mentorships", status_code=status.HTTP_201_CREATED, response_model=MentorshipOut)
def pair(body: MentorshipIn, user: StaffUser, session: SessionDep) -> MentorshipOut:
    mentorship = service.pair(
        session, actor=user, organisation_id=body.organisation_id, mentor_id=body.mentor_id
    )
    return mentorships_out(session, [mentorship])[0]


@router.get("/mentorships", response_model=Page[MentorshipOut])
def list_mentorships(
    user: CurrentUser, session: SessionDep, paging: PagingDep
) -> Page[MentorshipOut]:
    rows, total = service.list_mentorships(session, actor=user, paging=paging)
    return Page(items=mentorships_out(session, rows), total=total)


@router.get("/mentorships/{mentorship_id}", response_model=MentorshipOut)
def get_mentorship(mentorship_id: int, user: CurrentUser, session: SessionDep) -> MentorshipOut:
    mentorship = service.get_mentorship(session, actor=user, mentorship_id=mentorship_id)
    return mentorships_out(session, [mentorship])[0]


@router.get("/mentorships/{mentorship_id}/sessions", response_model=Page[MentoringSessionOut])
def list_sessions(
    mentorship_id: int, user: CurrentUser, session: SessionDep
) -> Page[MentoringSessionOut]:
    mentorship = service.get_mentorship(session, actor=user, mentorship_id=mentorship_id)
    rows = service.sessions_of(session, mentorship.id)
    return Page(items=[MentoringSessionOut.model_validate(s) for s in rows], total=len(rows))


def _loggable(mentorship_id: int, user: CurrentUser, session: SessionDep) -> int:
    """The mentor's gate, answered before the body is read."""
    return service.loggable_mentorship(session, actor=user, mentorship_id=mentorship_id).id


@router.post(
    "/mentorships/{mentorship_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=MentoringSessionOut,
)
def log_session(
    mentorship_id: int,
    _mentor_gate: Annotated[int, Depends(_loggable)],
    body: MentoringSessionIn,
    user: CurrentUser,
    session: SessionDep,
) -> MentoringSessionOut:
    logged = service.log_session(
        session,
        actor=user,
        mentorship_id=mentorship_id,
        held_on=body.held_on,
        minutes=body.minutes,
        notes=body.notes or "",
    )
    return MentoringSessionOut.model_validate(logged)
