"""Erasure that erases: after `DELETE /api/v1/me` no table and no file the portal writes holds
the person's address, name or phone; what they held is released and the other sides are told.
An administrator's disable releases the same things."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, String, func, select

from app.accounts import throttling
from app.accounts.models import (
    OrganisationInvitation,
    OrganisationKind,
    PasswordResetRequest,
    Role,
    ThrottleCounter,
    User,
)
from app.audit import AuditEntry, verify_chain
from app.config import get_settings
from app.db import Base
from app.introductions.models import Introduction, IntroductionStatus
from app.meetings.models import (
    AvailabilityWindow,
    BusyInterval,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
)
from app.membership.models import Application, Assignment
from app.notifications.models import Notification, OutboxMessage
from app.notifications.worker import run_once
from app.portal.personal_data import registered
from app.training.models import Enrolment, EnrolmentStatus
from tests.client import TestClient
from tests.factories import Actor, Factory, make_member
from tests.meetings.helpers import investor, member, open_window, tomorrow
from tests.membership.helpers import GOOD_REVIEW, under_review
from tests.training.helpers import make_course, make_session

NAME = "Фёдор Стиратель-Тестов"
EMAIL = "fyodor.erase@example.com"
PHONE = "+7 913 555-01-02"
NEEDLES = (EMAIL, NAME, PHONE)


@dataclass
class History:
    person: Actor
    staff: Actor
    waiting: Actor  # on the waitlist behind the person's training seat
    investor: Actor  # has a pending request from the person, holding a slot
    met_investor: Actor  # has a scheduled meeting with the person's organisation
    partner: Actor  # accepted an introduction the person asked for
    pending_partner: Actor  # was forwarded an introduction the person asked for
    session_id: int
    application_id: int


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _partner(factory: Factory, name: str) -> tuple[Actor, int]:
    contact = factory.actor(Role.partner, full_name=f"Contact of {name}")
    organisation = factory.organisation(
        contact.user, kind=OrganisationKind.large, name=name, verified=True
    )
    return contact, organisation.id


def build_history(factory: Factory) -> History:
    """A member with an application, a training seat, meeting requests and a meeting,
    introductions, invitations both ways, delivered and pending mail, sessions and tokens."""
    person = factory.actor(full_name=NAME, email=EMAIL, browser=True)
    _ok(person.api.patch("/api/v1/me", json={"phone": PHONE}))
    staff = factory.actor(Role.staff, full_name="Staff Keeper")
    organisation = factory.organisation(person.user, name="ГеоСтарт-Э")
    make_member(factory.database, organisation)

    applying = factory.organisation(person.user, name="Новый проект")
    application = _ok(
        person.api.post(
            "/api/v1/applications",
            json={
                "organisation_id": applying.id,
                "summary": "Спутниковый мониторинг",
                "innovation": "Алгоритмы",
                "market": "Агрохолдинги",
                "team": f"{NAME} (директор, {EMAIL}, {PHONE}) и два инженера",
                "funding_needs": "5 млн рублей",
            },
        ),
        201,
    )
    plan = {"file": ("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    _ok(
        person.api.post(
            f"/api/v1/applications/{application['id']}/attachments",
            files=plan,
            data={"kind": "business_plan"},
        ),
        201,
    )
    _ok(person.api.post(f"/api/v1/applications/{application['id']}/submit"))

    course = make_course(staff.api)
    session = make_session(staff.api, course["id"], capacity=1)
    _ok(person.api.post(f"/api/v1/sessions/{session['id']}/enrolments"), 201)
    waiting = factory.actor(full_name="Waiting Person")
    assert (
        _ok(waiting.api.post(f"/api/v1/sessions/{session['id']}/enrolments"), 201)["status"]
        == "waitlisted"
    )

    pending_investor, _ = investor(factory, full_name="Pending Investor")
    open_window(pending_investor)
    _ok(
        person.api.post(
            "/api/v1/meeting-requests",
            json={
                "investor_id": pending_investor.id,
                "message": f"Здравствуйте, я {NAME}, телефон {PHONE}",
                "starts_at": tomorrow(10).isoformat(),
            },
        ),
        201,
    )
    met_investor, _ = investor(factory, full_name="Met Investor")
    open_window(met_investor)
    accepted = _ok(
        person.api.post(
            "/api/v1/meeting-requests",
            json={"investor_id": met_investor.id, "message": f"Пишет {NAME}"},
        ),
        201,
    )
    _ok(
        met_investor.api.post(
            f"/api/v1/meeting-requests/{accepted['id']}/accept",
            json={"starts_at": tomorrow(11).isoformat()},
        )
    )

    partner, partner_id = _partner(factory, "BigCorp-E")
    introduction = _ok(
        person.api.post(
            "/api/v1/introductions",
            json={"partner_id": partner_id, "purpose": f"Пилот; контакт {NAME}"},
        ),
        201,
    )
    _ok(staff.api.post(f"/api/v1/introductions/{introduction['id']}/forward"))
    _ok(partner.api.post(f"/api/v1/introductions/{introduction['id']}/accept"))
    pending_partner, pending_partner_id = _partner(factory, "MegaCorp-E")
    pending = _ok(
        person.api.post(
            "/api/v1/introductions",
            json={"partner_id": pending_partner_id, "purpose": "Поставки"},
        ),
        201,
    )
    _ok(staff.api.post(f"/api/v1/introductions/{pending['id']}/forward"))

    _ok(
        person.api.post(
            f"/api/v1/organisations/{organisation.id}/invitations",
            json={"email": "colleague.of.fyodor@example.org"},
        ),
        201,
    )
    inviter = factory.actor(full_name="Other Owner")
    other = factory.organisation(inviter.user, name="Чужая фирма")
    invite = inviter.api.post(
        f"/api/v1/organisations/{other.id}/invitations", json={"email": EMAIL}
    )
    _ok(invite, 201)

    assert run_once().sent > 0  # delivered mail: rows marked sent and .eml files written
    with TestClient(factory.app, base_url="http://testserver") as client:
        client.post("/api/v1/auth/token", json={"email": EMAIL, "password": "wrong password!"})
        _ok(client.post("/api/v1/auth/password-reset", json={"email": EMAIL}), 202)
        assert factory.answer_password_resets() == 1  # a reset mail still queued
        _ok(client.post("/api/v1/auth/password-reset", json={"email": EMAIL}), 202)  # waiting
    return History(
        person=person,
        staff=staff,
        waiting=waiting,
        investor=pending_investor,
        met_investor=met_investor,
        partner=partner,
        pending_partner=pending_partner,
        session_id=session["id"],
        application_id=application["id"],
    )


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def traces_in_tables(factory: Factory, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """Every (table.column) holding the person's address, name or phone, over every string and
    JSON column of every table."""
    found = []
    with factory.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, JSON))]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = _text_of(value).lower()
                    found += [
                        f"{table.name}.{column.name}: {needle}"
                        for needle in needles
                        if needle.lower() in text
                    ]
    return sorted(set(found))


def _file_text(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix != ".eml":
        return raw.decode("utf-8", errors="ignore")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            parts.append(str(part.get_content()))
    return "\n".join(parts)


def traces_in_files(needles: tuple[str, ...] = NEEDLES) -> list[str]:
    var_dir = get_settings().var_dir
    found = []
    for path in sorted(p for p in var_dir.rglob("*") if p.is_file()):
        text = _file_text(path).lower()
        found += [f"{path.name}: {n}" for n in needles if n.lower() in text]
    return found


def _count(factory: Factory, model: type[Any], *conditions: Any) -> int:
    with factory.database.session_scope(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def _mail_to(factory: Factory, user_id: int, needle: str) -> list[OutboxMessage]:
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient_id == user_id)
        ).all()
        session.expunge_all()
    return [m for m in rows if needle in m.subject + m.body_text]


def test_every_domain_registers_its_eraser_and_releaser(factory: Factory) -> None:
    assert set(registered()["erasers"]) >= {
        "accounts",
        "notifications",
        "membership",
        "meetings",
        "introductions",
    }
    assert set(registered()["releasers"]) >= {"training", "meetings", "introductions", "membership"}


def test_after_erasure_no_table_or_file_holds_the_address_name_or_phone(
    factory: Factory,
) -> None:
    history = build_history(factory)
    before_tables, before_files = traces_in_tables(factory), traces_in_files()
    # The scan sees what it must: the person in their row, the mail, the texts, the files.
    for place in (
        f"users.email: {EMAIL}",
        f"users.full_name: {NAME}",
        f"users.phone: {PHONE}",
        f"outbox.to_email: {EMAIL}",
        f"outbox.body_text: {NAME}",
        f"organisation_invitations.email: {EMAIL}",
        f"password_reset_requests.email: {EMAIL}",
        f"membership_applications.team: {NAME}",
        f"meeting_requests.message: {PHONE}",
        f"introductions.purpose: {NAME}",
    ):
        assert place in before_tables
    assert any(EMAIL in f for f in before_files) and any(NAME in f for f in before_files)
    outbox_before = _count(factory, OutboxMessage)
    addressed = AuditEntry.actor_id == history.person.id, AuditEntry.ip_address.is_not(None)
    assert _count(factory, AuditEntry, *addressed) > 0

    response = history.person.api.delete("/api/v1/me")

    assert response.status_code == 202
    assert traces_in_tables(factory) == []
    assert traces_in_files() == []
    # Others' mail that named the person is kept, scrubbed; the person's own is gone.
    assert 0 < _count(factory, OutboxMessage) < outbox_before
    introduced = _mail_to(factory, history.partner.id, "[удалено]")
    assert introduced, "the introduction mail to the partner keeps its row, without the person"
    assert _count(factory, OutboxMessage, OutboxMessage.recipient_id == history.person.id) == 0
    assert _count(factory, Notification, Notification.user_id == history.person.id) == 0
    assert _count(factory, OrganisationInvitation) == 0
    assert _count(factory, PasswordResetRequest) == 0
    assert (
        _count(
            factory,
            ThrottleCounter,
            ThrottleCounter.key == throttling.counter_key(throttling.LOGIN_ACCOUNT, EMAIL),
        )
        == 0
    )
    with factory.database.session_scope(write=False) as session:
        user = session.get(User, history.person.id)
        assert user is not None and user.erased_at is not None and not user.is_active
        application = session.get(Application, history.application_id)
        assert application is not None and "[удалено]" in application.team
        assert verify_chain(session).ok
    assert _count(factory, AuditEntry, *addressed) == 0  # the client addresses are gone too
    assert history.person.api.get("/api/v1/me").status_code == 401
    assert history.person.browser is not None
    assert history.person.browser.get("/account").headers["location"].startswith("/login")


def _assert_released(factory: Factory, history: History) -> None:
    with factory.database.session_scope(write=False) as session:
        places = {
            e.user_id: e.status
            for e in session.scalars(
                select(Enrolment).where(Enrolment.session_id == history.session_id)
            )
        }
        requests = {r.investor_id: r.status for r in session.scalars(select(MeetingRequest))}
        meeting = session.scalars(
            select(Meeting).where(Meeting.investor_id == history.met_investor.id)
        ).one()
        held = session.scalar(select(func.count()).select_from(BusyInterval))
        statuses = sorted(i.status for i in session.scalars(select(Introduction)))
    assert places == {
        history.person.id: EnrolmentStatus.cancelled,
        history.waiting.id: EnrolmentStatus.enrolled,
    }
    assert requests[history.investor.id] == RequestStatus.withdrawn
    assert meeting.status == MeetingStatus.cancelled  # nobody is left to attend for the company
    assert held == 0
    assert statuses == [IntroductionStatus.accepted, IntroductionStatus.withdrawn]
    # The other sides are told.
    assert _mail_to(factory, history.waiting.id, "Technopark")
    assert _mail_to(factory, history.investor.id, "withdrew") or _mail_to(
        factory, history.investor.id, "отозвала"
    )
    assert _mail_to(factory, history.met_investor.id, "отменена")
    assert _mail_to(factory, history.pending_partner.id, "отозван")


def test_erasure_releases_seats_slots_and_pending_requests(factory: Factory) -> None:
    history = build_history(factory)

    assert history.person.api.delete("/api/v1/me").status_code == 202

    _assert_released(factory, history)


def test_disabling_releases_the_same_and_tells_the_other_sides(factory: Factory) -> None:
    history = build_history(factory)
    admin = factory.actor(Role.admin)

    response = admin.api.post(f"/api/v1/users/{history.person.id}/disable")

    assert response.status_code == 200
    _assert_released(factory, history)
    with factory.database.session_scope(write=False) as session:
        actions = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == admin.id))
        )
    assert {"training.released", "meetings.request_withdrawn", "introduction.withdrawn"} <= actions
    # Disabling is not erasure: the person's data stays.
    assert f"users.email: {EMAIL}" in traces_in_tables(factory)


@pytest.mark.parametrize("action", ["auth.login_failed", "organisation.colleague_invited"])
def test_no_audit_payload_holds_an_address_or_a_name(factory: Factory, action: str) -> None:
    build_history(factory)
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        payloads = [json.dumps(r.data, ensure_ascii=False) for r in rows]
    assert rows
    assert not [p for p in payloads if any(n.lower() in p.lower() for n in NEEDLES)]


INVESTOR = ("Инна Уходящая-Инвесторова", "inna.leaving@fund.example")


@pytest.mark.parametrize("how", ["erase", "disable"])
def test_a_leaving_investor_frees_their_slots_and_both_kinds_of_requester_are_told(
    factory: Factory, how: str
) -> None:
    name, email = INVESTOR
    leaving, _ = investor(factory, full_name=name, email=email)
    open_window(leaving)
    asking, _ = member(factory)
    request = _ok(
        asking.api.post(
            "/api/v1/meeting-requests",
            json={
                "investor_id": leaving.id,
                "message": "Hello",
                "starts_at": tomorrow(10).isoformat(),
            },
        ),
        201,
    )
    meeting_member, _ = member(factory)
    accepted = _ok(
        meeting_member.api.post(
            "/api/v1/meeting-requests", json={"investor_id": leaving.id, "message": "Hi"}
        ),
        201,
    )
    _ok(
        leaving.api.post(
            f"/api/v1/meeting-requests/{accepted['id']}/accept",
            json={"starts_at": tomorrow(11).isoformat()},
        )
    )
    assert run_once().sent > 0
    assert traces_in_tables(factory, INVESTOR) and traces_in_files(INVESTOR)

    if how == "erase":
        assert leaving.api.delete("/api/v1/me").status_code == 202
    else:
        admin = factory.actor(Role.admin)
        assert admin.api.post(f"/api/v1/users/{leaving.id}/disable").status_code == 200

    with factory.database.session_scope(write=False) as session:
        closed = session.get(MeetingRequest, request["id"])
        meeting = session.scalars(select(Meeting)).one()
        windows = session.scalar(select(func.count()).select_from(AvailabilityWindow))
        held = session.scalar(select(func.count()).select_from(BusyInterval))
    assert closed is not None and closed.status == RequestStatus.declined
    assert meeting.status == MeetingStatus.cancelled
    assert (windows, held) == (0, 0)
    assert _mail_to(factory, asking.id, "инвестор больше не пользуется порталом")
    assert _mail_to(factory, meeting_member.id, "отменена")
    if how == "erase":
        assert traces_in_tables(factory, INVESTOR) == []
        assert traces_in_files(INVESTOR) == []


def test_a_leaving_reviewer_gives_back_open_reviews_and_keeps_written_ones(
    factory: Factory,
) -> None:
    case = under_review(factory, reviewers=2)
    done, open_one = case.reviewers
    _ok(done.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW))
    admin = factory.actor(Role.admin)

    for reviewer in (done, open_one):
        _ok(admin.api.post(f"/api/v1/users/{reviewer.id}/disable"))

    with factory.database.session_scope(write=False) as session:
        reviewers = set(
            session.scalars(
                select(Assignment.reviewer_id).where(
                    Assignment.application_id == case.application_id
                )
            )
        )
        released = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "application.reviewer_released")
        ).all()
    assert reviewers == {done.id}
    assert [(r.actor_id, r.data["reviewer_id"]) for r in released] == [(admin.id, open_one.id)]
