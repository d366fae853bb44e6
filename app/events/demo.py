"""Demo data of events: a networking day that is nearly full, a members-only demo day without a
seat limit, and a workshop, all upcoming, with a few registrations. Loading twice changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.events import policies, service
from app.events.models import Event, EventKind

EVENTS: tuple[dict[str, Any], ...] = (
    {
        "title": "День нетворкинга: ИТ и промышленность",
        "description": "Короткие презентации компаний кластера и встречи один на один с "
        "промышленными партнёрами.",
        "kind": EventKind.networking,
        "days": 10,
        "hours": 3,
        "location": "Технопарк, атриум",
        "capacity": 3,
        "members_only": False,
        "translations": {
            "en": {
                "title": "Networking day: IT meets industry",
                "description": "Short pitches of the cluster's companies and one-to-one "
                "meetings with industrial partners.",
                "location": "Technopark, atrium",
            }
        },
        "people": ("founder_en", "partner", "applicant", "reviewer2"),
    },
    {
        "title": "Демо-день резидентов кластера",
        "description": "Компании-участники показывают продукты инвесторам и партнёрам.",
        "kind": EventKind.demo_day,
        "days": 24,
        "hours": 4,
        "location": "Технопарк, конференц-зал",
        "capacity": None,
        "members_only": True,
        "translations": {
            "en": {
                "title": "The cluster members' demo day",
                "description": "Member companies show their products to investors and partners.",
                "location": "Technopark, conference hall",
            }
        },
        "people": ("founder",),
    },
    {
        "title": "Мастерская: экспорт ИТ-услуг",
        "description": "Практическая мастерская о выходе на зарубежные рынки.",
        "kind": EventKind.workshop,
        "days": 35,
        "hours": 2,
        "location": "Онлайн и Технопарк, зал 1",
        "capacity": 25,
        "members_only": False,
        "translations": {
            "en": {
                "title": "Workshop: exporting IT services",
                "description": "A hands-on workshop on entering foreign markets.",
                "location": "Online and Technopark, room 1",
            }
        },
        "people": ("founder", "investor"),
    },
)


def _afternoon(days_ahead: int) -> datetime:
    day = (utcnow() + timedelta(days=days_ahead)).date()
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)  # 14:00 in Moscow


def load(session: Session, world: Any) -> None:
    staff = world.users["staff"]
    for spec in EVENTS:
        if session.scalar(select(Event.id).where(Event.title == spec["title"])) is not None:
            continue
        starts = _afternoon(spec["days"])
        event = service.create_event(
            session,
            actor=staff,
            values={
                "title": spec["title"],
                "description": spec["description"],
                "language": "ru",
                "kind": spec["kind"],
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=spec["hours"]),
                "location": spec["location"],
                "capacity": spec["capacity"],
                "members_only": spec["members_only"],
                "translations": spec["translations"],
            },
        )
        for key in spec["people"]:
            person = world.users[key]
            if policies.can_see_event(session, person, event):
                service.register(session, actor=person, event_id=event.id)
