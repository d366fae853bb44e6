from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.db import utcnow
from app.demo import load_demo
from app.meetings.models import AvailabilityWindow, InvestorProfile, PitchDay, PitchParticipant
from app.training import queries as training_queries
from app.training.demo import TITLE
from app.training.models import Course, Enrolment, EnrolmentStatus, TrainingSession


def _snapshot(session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (
            Course,
            TrainingSession,
            Enrolment,
            InvestorProfile,
            AvailabilityWindow,
            PitchDay,
            PitchParticipant,
        )
    }


def test_demo_course_and_investor_data_are_loaded_once(factory) -> None:
    with factory.database.session_scope() as session:
        world = load_demo(session)
        fund_id, founder_id = world.organisations["fund"].id, world.users["founder"].id
        investor_id = world.users["investor"].id
    with factory.database.session_scope() as session:
        first = _snapshot(session)
    with factory.database.session_scope() as session:
        load_demo(session)
    with factory.database.session_scope(write=False) as session:
        assert _snapshot(session) == first
        course = session.scalar(select(Course).where(Course.title == TITLE))
        assert course.investor_readiness is True
        now = utcnow()
        upcoming = [s for s in course.sessions if s.starts_at > now]
        assert len(upcoming) == 2
        seats = [
            s.capacity
            - (
                session.scalar(
                    select(func.count()).where(
                        Enrolment.session_id == s.id, Enrolment.status == EnrolmentStatus.enrolled
                    )
                )
                or 0
            )
            for s in upcoming
        ]
        assert seats[0] == 0 and seats[1] > 1
        waitlisted = select(func.count()).where(
            Enrolment.session_id == upcoming[0].id, Enrolment.status == EnrolmentStatus.waitlisted
        )
        assert session.scalar(waitlisted) == 1
        founder = session.get(type(world.users["founder"]), founder_id)
        assert training_queries.has_completed_investor_readiness(session, founder)

        profile = session.get(InvestorProfile, fund_id)
        assert profile.sectors and profile.stages and profile.thesis
        assert profile.ticket_min_rub < profile.ticket_max_rub
        windows = session.scalars(
            select(AvailabilityWindow).where(AvailabilityWindow.investor_id == investor_id)
        ).all()
        assert windows and all(now < w.starts_at < now + timedelta(days=15) for w in windows)
        days = session.scalars(select(PitchDay)).all()
        assert len(days) == 2 and all(day.date > now.date() for day in days)
        for day in days:
            assert fund_id in set(
                session.scalars(
                    select(PitchParticipant.organisation_id).where(
                        PitchParticipant.pitch_day_id == day.id
                    )
                )
            )
