"""Demo data of investor meetings: the demo fund's profile, two weeks of availability of the demo
investor, the meetings of the demo member "geo" (one past with feedback owed, one accepted with a
video link), a request waiting for the investor, and two pitch days: one published with its
meetings, one open for registration. Loading twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.meetings import people, policies
from app.meetings.availability import add_availability, free_slots
from app.meetings.investors import save_profile
from app.meetings.models import (
    AvailabilityWindow,
    InvestorProfile,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    PitchDay,
    RequestStatus,
)
from app.meetings.pitch_days import create_pitch_day, publish_pitch_day, schedule_pitch_day
from app.meetings.pitch_participation import add_wish, register_participant
from app.meetings.requests import accept_request, create_request

PROFILE = {
    "sectors": ["software", "geoinformation", "industrial_it", "fintech"],
    "stages": ["seed", "early"],
    "ticket_min_rub": 5_000_000,
    "ticket_max_rub": 50_000_000,
    "thesis": (
        "Инвестируем в B2B-программное обеспечение и геоинформационные сервисы из Сибири и "
        "Северо-Запада: команда с первыми платящими клиентами, понятная юнит-экономика, "
        "готовность к выходу на рынки ЕАЭС."
    ),
    "contact_email": "investor@demo.cluster",
    "contact_phone": "+7 812 000-00-00",
    "translations": {
        "en": {
            "thesis": "We invest in B2B software and geoinformation services from Siberia and the "
            "North-West: a team with its first paying customers, clear unit economics, readiness "
            "to enter the markets of the Eurasian Economic Union."
        }
    },
}


def _upcoming_weekdays(count: int) -> list[datetime]:
    """Mornings (10:00 Moscow = 07:00 UTC) of the next working days within two weeks."""
    days: list[datetime] = []
    day = utcnow().date() + timedelta(days=1)
    while len(days) < count and day <= utcnow().date() + timedelta(days=14):
        if day.weekday() < 5:
            days.append(datetime.combine(day, time(7, 0), tzinfo=UTC))
        day += timedelta(days=1)
    return days


PAST_MEETING_UID = "demo-geo-past@cluster"
VIDEO_URL = "https://meet.example.org/geotech-north-venture"
PUBLISHED_DAY = "Питч-день кластера: геоданные и агротех"
OPEN_DAY = "Питч-день «Сибирские технологии»"
VENUE = "Технопарк Академгородка, зал «Сибирь»"
ENGLISH_NAMES = {
    PUBLISHED_DAY: "Cluster pitch day: geodata and agritech",
    OPEN_DAY: 'Pitch day "Siberian technologies"',
}
ENGLISH_VENUE = 'Akademgorodok Technopark, hall "Siberia"'
SLOTS = [time(10, 0), time(10, 30), time(11, 0), time(11, 30), time(12, 0)]


def _ready_members(session: Session) -> list[tuple[User, int]]:
    """Founders of the history's member organisations who may ask investors for meetings, with
    their organisation."""
    founders = session.scalars(
        select(User).where(User.email.like("history%@demo.cluster")).order_by(User.id)
    ).all()
    found: list[tuple[User, int]] = []
    for founder in founders:
        organisations = people.member_organisation_ids(session, founder)
        if organisations and policies.is_ready_for_investors(session, founder):
            found.append((founder, organisations[0]))
    return found


def _meetings_of_geo(session: Session, world: Any) -> None:
    """A meeting of last week whose feedback both sides owe, and one ahead, accepted by the
    investor with a video link."""
    if session.scalar(select(Meeting.id).where(Meeting.uid == PAST_MEETING_UID)) is not None:
        return
    investor, founder = world.users["investor"], world.users["founder"]
    geo = world.organisations["geo"]
    # The past is inserted directly: the services refuse times that have gone by.
    starts = datetime.combine(utcnow().date() - timedelta(days=6), time(7, 0), tzinfo=UTC)
    asked = MeetingRequest(
        investor_id=investor.id,
        organisation_id=geo.id,
        requester_id=founder.id,
        message="Покажем пилот мониторинга посевов в двух агрохолдингах.",
        status=RequestStatus.accepted,
        created_at=starts - timedelta(days=7),
        expires_at=starts + timedelta(days=7),
        decided_at=starts - timedelta(days=6),
    )
    session.add(asked)
    session.flush()
    session.add(
        Meeting(
            uid=PAST_MEETING_UID,
            request_id=asked.id,
            investor_id=investor.id,
            organisation_id=geo.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            status=MeetingStatus.scheduled,
            location="Технопарк Академгородка, переговорная 3",
        )
    )
    session.flush()
    slots = free_slots(session, investor.id)
    if not slots:
        return
    request = create_request(
        session,
        actor=founder,
        investor_id=investor.id,
        organisation_id=geo.id,
        message="Хотим обсудить второй раунд: выход на рынок Казахстана.",
        starts_at=slots[0][0],
    )
    accept_request(
        session,
        actor=investor,
        request_id=request.id,
        location="Онлайн",
        video_url=VIDEO_URL,
    )


def _request_to_answer(session: Session, world: Any, asking: list[tuple[User, int]]) -> None:
    investor = world.users["investor"]
    waiting = session.scalar(
        select(MeetingRequest.id).where(
            MeetingRequest.investor_id == investor.id,
            MeetingRequest.status == RequestStatus.requested,
        )
    )
    slots = free_slots(session, investor.id)
    if waiting is not None or not asking or len(slots) < 2:
        return
    founder, organisation_id = asking[0]
    create_request(
        session,
        actor=founder,
        investor_id=investor.id,
        organisation_id=organisation_id,
        message="Ищем 10 млн рублей на серийное производство датчиков; выручка растёт третий "
        "квартал подряд.",
        starts_at=slots[1][0],
    )


def _pitch_day(
    session: Session, staff: User, name: str, days_ahead: int, organisations: list[int]
) -> PitchDay | None:
    """A new pitch day with its participants, or None if it exists."""
    if session.scalar(select(PitchDay.id).where(PitchDay.name == name)) is not None:
        return None
    day = create_pitch_day(
        session,
        actor=staff,
        values={
            "name": name,
            "venue": VENUE,
            "translations": {"en": {"name": ENGLISH_NAMES[name], "venue": ENGLISH_VENUE}},
            "date": utcnow().date() + timedelta(days=days_ahead),
            "slot_starts": SLOTS,
            "slot_minutes": 25,
            "tables": 4,
        },
    )
    for organisation_id in organisations:
        register_participant(
            session, actor=staff, pitch_day_id=day.id, organisation_id=organisation_id, slots=None
        )
    return day


def _wish(session: Session, staff: User, day: PitchDay, wishes: list[tuple[int, int]]) -> None:
    for organisation_id, with_organisation_id in wishes:
        add_wish(
            session,
            actor=staff,
            pitch_day_id=day.id,
            organisation_id=organisation_id,
            with_organisation_id=with_organisation_id,
            priority=None,
            no_thanks=False,
        )


def _pitch_days(session: Session, world: Any, members: list[int]) -> None:
    """One day published with its meetings; a later one still open for registration."""
    staff = world.users["staff"]
    fund, geo = world.organisations["fund"].id, world.organisations["geo"].id
    others = [o for o in members if o != geo][:3]
    published = _pitch_day(session, staff, PUBLISHED_DAY, 16, [fund, geo, *others])
    if published is not None:
        wishes = [(geo, fund), (fund, geo), *[(o, fund) for o in others]]
        _wish(session, staff, published, [*wishes, *[(fund, o) for o in others[:1]]])
        schedule_pitch_day(session, actor=staff, pitch_day_id=published.id)
        publish_pitch_day(session, actor=staff, pitch_day_id=published.id)
    open_day = _pitch_day(session, staff, OPEN_DAY, 30, [fund, geo, *others[:1]])
    if open_day is not None:
        _wish(session, staff, open_day, [(o, fund) for o in others[:1]])


def load(session: Session, world: Any) -> None:
    investor = world.users["investor"]
    fund = world.organisations["fund"]
    if session.get(InvestorProfile, fund.id) is None:
        save_profile(session, actor=investor, organisation_id=fund.id, values=PROFILE)

    for start in _upcoming_weekdays(6)[::2]:
        end = start + timedelta(hours=3)
        clash = session.scalar(
            select(AvailabilityWindow.id).where(
                AvailabilityWindow.investor_id == investor.id,
                AvailabilityWindow.starts_at < end,
                AvailabilityWindow.ends_at > start,
            )
        )
        if clash is None:
            add_availability(session, actor=investor, starts_at=start, ends_at=end, slot_minutes=30)

    _meetings_of_geo(session, world)
    asking = _ready_members(session)
    _request_to_answer(session, world, asking)
    _pitch_days(session, world, [organisation_id for _founder, organisation_id in asking])
