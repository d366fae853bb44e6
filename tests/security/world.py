"""One shared set of objects for the security tests: an owner's records and strangers.

Every role gets one user (`entrepreneur` is a stranger entrepreneur); `owner` owns the
organisation, application, enrolment, meeting request, meeting and introduction. The
counterparts (the investor met, the partner introduced, the admin's target) are separate users,
so each role principal is a stranger to the owner's records unless its role lets it see them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import TextClause, event, func, select, text

from app.accounts.models import OrganisationKind, Role
from app.db import Base, Database
from app.membership.models import Membership
from app.notifications.models import OutboxMessage
from app.training.certificates import issue_certificate
from app.training.models import Course
from tests.client import TestClient
from tests.events.helpers import make_event
from tests.factories import Actor, Factory, make_member
from tests.html import csrf_from
from tests.library.helpers import create_item
from tests.meetings.helpers import open_window, tomorrow
from tests.membership.helpers import PDF, SECTIONS
from tests.training.helpers import make_course, make_session

ROLES: tuple[str, ...] = (
    "entrepreneur",
    "committee",
    "chair",
    "staff",
    "investor",
    "partner",
    "admin",
    "observer",
    "mentor",
)
PRINCIPALS: tuple[str, ...] = ("anonymous", "owner", *ROLES)


@dataclass
class Principal:
    name: str
    actor: Actor | None
    api: TestClient
    browser: TestClient
    csrf: str


@dataclass
class World:
    factory: Factory
    principals: dict[str, Principal]
    params: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@functools.cache
def _row_count_query() -> TextClause:
    return text(
        " UNION ALL ".join(
            f"SELECT '{t.name}' AS name, COUNT(*) AS n FROM \"{t.name}\""
            for t in Base.metadata.sorted_tables
        )
    )


def row_counts(db: Database) -> dict[str, int]:
    """Rows in every table, in one query."""
    with db.engine.connect() as connection:
        return {name: n for name, n in connection.execute(_row_count_query())}


@contextmanager
def recorded_row_writes(db: Database) -> Iterator[list[str]]:
    """The INSERT and DELETE statements that added or removed rows while the block ran: what
    changes a row count, caught as it happens rather than by counting every table after each
    call."""
    writes: list[str] = []

    def record(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "DELETE") and cursor.rowcount != 0:
            writes.append(statement.split("(")[0].strip())

    event.listen(db.engine, "after_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(db.engine, "after_cursor_execute", record)


def _ok(response: Any, expected: int = 200) -> Any:
    assert response.status_code == expected, (response.request.url, response.text)
    return response.json() if response.content else None


def build_world(database: Database, app: FastAPI) -> World:
    factory = Factory(database, app)
    actors: dict[str, Actor] = {}
    actors["owner"] = factory.actor(browser=True, full_name="Owner Person")
    for role in ROLES:
        roles = () if role == "entrepreneur" else (Role(role),)
        actors[role] = factory.actor(*roles, browser=True, full_name=f"Principal {role}")
    staff = actors["staff"].api
    owner = actors["owner"]

    # The owner: a member organisation, and a second one applying (draft, with a PDF).
    member_org = factory.organisation(owner.user, name="Owner Member Org")
    make_member(database, member_org)
    applying_org = factory.organisation(owner.user, name="Owner Applying Org")
    application = _ok(
        owner.api.post(
            "/api/v1/applications", json={"organisation_id": applying_org.id, **SECTIONS}
        ),
        201,
    )
    attachment = _ok(
        owner.api.post(
            f"/api/v1/applications/{application['id']}/attachments",
            files={"file": ("plan.pdf", PDF, "application/pdf")},
            data={"kind": "business_plan"},
        ),
        201,
    )
    # Strangers' own organisations (an investor's and a partner's are verified).
    factory.organisation(actors["entrepreneur"].user, name="Stranger Org")

    # Training: a course with a session the owner is enrolled in.
    course = make_course(staff)
    session = make_session(staff, course["id"], capacity=5)
    _ok(owner.api.post(f"/api/v1/sessions/{session['id']}/enrolments"), 201)
    event = make_event(staff, capacity=5)
    _ok(owner.api.post(f"/api/v1/events/{event['id']}/registrations"), 201)
    feed = _ok(owner.api.post("/api/v1/me/calendar-feed"), 201)
    calendar_token = re.sub(r"\.ics$", "", feed["url"].rsplit("/", 1)[-1])

    # Meetings: a counterpart investor (not a principal) with open slots; the owner requested
    # two meetings, one of them accepted.
    investor = factory.actor(Role.investor, full_name="Counterpart Investor")
    investor_org = factory.organisation(
        investor.user, kind=OrganisationKind.investor, verified=True
    )
    open_window(investor, tomorrow(9), hours=4)
    first = _ok(
        owner.api.post(
            "/api/v1/meeting-requests",
            json={"investor_id": investor.id, "message": "Hello", "organisation_id": member_org.id},
        ),
        201,
    )
    meeting = _ok(
        investor.api.post(
            f"/api/v1/meeting-requests/{first['id']}/accept",
            json={"starts_at": tomorrow(10).isoformat()},
        )
    )
    second = _ok(
        owner.api.post(
            "/api/v1/meeting-requests",
            json={"investor_id": investor.id, "message": "Again", "organisation_id": member_org.id},
        ),
        201,
    )
    pitch_day = _ok(
        staff.post(
            "/api/v1/pitch-days",
            json={
                "date": (tomorrow() + timedelta(days=7)).date().isoformat(),
                "slot_starts": ["10:00", "10:30"],
                "slot_minutes": 30,
                "tables": 2,
            },
        ),
        201,
    )

    # Library: a members-only item with two versions.
    item = create_item(staff, title="Members guide", visibility="members")
    _ok(staff.put(f"/api/v1/library/{item['id']}", json={**_item_fields(), "title": "Guide v2"}))

    # Introductions: a counterpart partner (not a principal) and the owner's request.
    partner = factory.actor(Role.partner, full_name="Counterpart Partner")
    partner_org = factory.organisation(
        partner.user, kind=OrganisationKind.large, name="BigCorp", verified=True
    )
    introduction = _ok(
        owner.api.post(
            "/api/v1/introductions",
            json={
                "partner_id": partner_org.id,
                "purpose": "Pilot",
                "offer": "Free pilot",
                "ask": "Test site",
                "organisation_id": member_org.id,
            },
        ),
        201,
    )

    # Deals: the owner's reported round with the counterpart investor's organisation.
    deal = _ok(
        owner.api.post(
            "/api/v1/deals",
            json={
                "organisation_id": member_org.id,
                "amount_rub": 5_000_000,
                "instrument": "equity",
                "closed_on": (tomorrow() - timedelta(days=3)).date().isoformat(),
                "investor_organisation_id": investor_org.id,
                "source": "meeting",
                "source_id": meeting["id"],
            },
        ),
        201,
    )

    # Mentoring: the mentor principal is paired with the owner's member organisation.
    mentorship = _ok(
        staff.post(
            "/api/v1/mentorships",
            json={"organisation_id": member_org.id, "mentor_id": actors["mentor"].id},
        ),
        201,
    )

    # Admin's target: a user who is no principal.
    target = factory.user(roles=(Role.investor,), full_name="Target User")
    spare_token = _ok(
        TestClient(app).post(
            "/api/v1/auth/token",
            json={"email": owner.user.email, "password": "correct horse battery staple"},
        )
    )
    tokens = _ok(owner.api.get("/api/v1/me/tokens"))["items"]
    spare = max(tokens, key=lambda t: t["id"])
    assert spare_token and spare["id"]

    # The owner holds a certificate of the course (as attending would give).
    with database.session_scope() as s:
        certificate_id = issue_certificate(
            s, course=s.get(Course, course["id"]), user_id=owner.id, actor=None
        ).id

    with database.session_scope(write=False) as s:
        verify_code = s.scalar(
            select(Membership.verify_code).where(Membership.organisation_id == member_org.id)
        )
        message_id = s.scalar(select(func.min(OutboxMessage.id)))
        membership_id = s.scalar(
            select(Membership.id).where(Membership.organisation_id == member_org.id)
        )
    notifications = _ok(owner.api.get("/api/v1/notifications"))["items"]

    principals: dict[str, Principal] = {
        "anonymous": Principal(
            "anonymous",
            None,
            TestClient(app, follow_redirects=False),
            TestClient(app, follow_redirects=False),
            "",
        )
    }
    for client in (principals["anonymous"].api, principals["anonymous"].browser):
        client.__enter__()  # one event-loop thread per client instead of one per request
    anon = principals["anonymous"]
    anon.csrf = csrf_from(anon.browser.get("/login").text)
    for name, actor in actors.items():
        actor.api.follow_redirects = False
        assert actor.browser is not None
        principals[name] = Principal(
            name, actor, actor.api, actor.browser, csrf_from(actor.browser.get("/account").text)
        )

    params: dict[str, Any] = {
        "token_id": spare["id"],
        "user_id": target.id,
        "role": "investor",
        "organisation_id": member_org.id,
        "notification_id": notifications[0]["id"] if notifications else 999_999,
        "message_id": message_id or 999_999,
        "application_id": application["id"],
        "attachment_id": attachment["id"],
        "course_id": course["id"],
        "session_id": session["id"],
        "event_id": event["id"],
        "certificate_id": certificate_id,
        "investor_id": investor.id,
        "request_id": second["id"],
        "meeting_id": meeting["id"],
        "membership_id": membership_id,
        "pitch_day_id": pitch_day["id"],
        "wish_id": 999_999,
        "item_id": item["id"],
        "version": 1,
        "partner_id": partner_org.id,
        "introduction_id": introduction["id"],
        "mentorship_id": mentorship["id"],
        "story_id": 999_999,
        "deal_id": deal["id"],
        "secret": "no-such-secret",
        "code": verify_code,
        "token": calendar_token,
    }
    return World(factory, principals, params, {"applying_org": applying_org.id})


def _item_fields() -> dict[str, Any]:
    return {
        "title": "Members guide",
        "body": "Updated",
        "language": "ru",
        "category": "other",
        "tags": [],
        "visibility": "members",
    }


def fill(path: str, params: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(params[m.group(1)]), path)
