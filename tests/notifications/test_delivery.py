"""Outbox delivery through a real SMTP server running in the test process."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from fastapi import APIRouter
from sqlalchemy import update

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.db import utcnow
from app.deps import SessionDep
from app.errors import Conflict
from app.i18n import translations_for
from app.main import create_app
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.worker import claim_batch, deliver_due, run_once
from tests.client import TestClient
from tests.factories import Factory
from tests.notifications.helpers import (
    SmtpServer,
    body_html,
    body_text,
    make_due_now,
    outbox,
    queue_mail,
)


def _reset_mail(database, user: User) -> OutboxMessage:
    rows = [m for m in outbox(database) if m.kind == "account.password_reset"]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    ("locale", "timezone"), [("ru", "Europe/Moscow"), ("en", "Asia/Novosibirsk")]
)
def test_password_reset_from_a_committed_request_arrives_once_in_the_users_language(
    client: TestClient, factory: Factory, smtp: SmtpServer, locale: str, timezone: str
) -> None:
    user = factory.user(email=f"reset-{locale}@example.com", locale=locale, timezone=timezone)

    response = client.post("/api/v1/auth/password-reset", json={"email": user.email})
    assert response.status_code == 202
    first = run_once()
    second = run_once()

    assert (first.sent, second.sent) == (1, 0)
    received = smtp.mailbox.to(user.email)
    assert len(received) == 1
    mail = received[0]
    expected_subject = translations_for(locale).gettext("Reset your password")
    assert mail["Subject"] == expected_subject
    assert mail["Content-Language"] == locale
    assert f'<html lang="{locale}">' in body_html(mail)
    text = body_text(mail)
    assert "http://testserver/password-reset/" in text
    row = _reset_mail(factory.database, user)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.sent, 1, None)
    assert mail["X-Portal-Idempotency-Key"] == row.idempotency_key


def test_a_rolled_back_request_sends_nothing(factory: Factory, smtp: SmtpServer) -> None:
    user = factory.user(email="rollback@example.com")
    app = create_app()
    failing = APIRouter()

    @failing.post("/api/v1/test-rollback")
    def reset_then_fail(session: SessionDep) -> None:
        accounts.request_password_reset(session, email=user.email, ip_address="127.0.0.1")
        raise Conflict("the business rule refused after the mail was queued")

    app.include_router(failing)
    with TestClient(app, base_url="http://testserver") as client:
        response = client.post("/api/v1/test-rollback")

    assert response.status_code == 409
    assert outbox(factory.database) == []
    report = run_once()
    assert report.sent == 0
    assert smtp.mailbox.messages == []


def test_with_the_smtp_server_down_the_message_is_retried_and_arrives_after_it_returns(
    factory: Factory, smtp: SmtpServer
) -> None:
    user = factory.user(email="retry@example.com")
    smtp.stop()
    queue_mail(factory.database, user.id, "retry:1")

    report = deliver_due()

    assert (report.sent, report.failed, report.dead) == (0, 1, 0)
    [row] = outbox(factory.database)
    assert row.status == OutboxStatus.failed
    assert row.attempts == 1
    assert row.next_attempt_at > utcnow()
    assert row.last_error and "Connection" in row.last_error
    assert row.claimed_by is None

    smtp.start()
    assert deliver_due().sent == 0  # not due yet: the backoff holds
    make_due_now(factory.database)
    assert deliver_due().sent == 1

    assert [m["To"] for m in smtp.mailbox.messages] == ["retry@example.com"]
    [row] = outbox(factory.database)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.sent, 2, None)


def test_a_worker_killed_between_claiming_and_marking_loses_no_message(
    factory: Factory, smtp: SmtpServer
) -> None:
    user = factory.user(email="crash@example.com")
    queue_mail(factory.database, user.id, "crash:1")
    with factory.database.session_scope() as session:
        assert len(claim_batch(session, now=utcnow(), claimant="worker-that-dies")) == 1
    # ... and that worker never comes back to mark it.

    assert deliver_due().sent == 0  # a fresh claim is respected
    [row] = outbox(factory.database)
    assert (row.status, row.claimed_by) == (OutboxStatus.sending, "worker-that-dies")

    with factory.database.session_scope() as session:
        session.execute(update(OutboxMessage).values(claimed_at=utcnow() - timedelta(minutes=6)))
    assert deliver_due().sent == 1

    assert [m["To"] for m in smtp.mailbox.messages] == ["crash@example.com"]
    [row] = outbox(factory.database)
    assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.sent, 2, None)


def test_two_workers_never_send_the_same_message_twice(factory: Factory, smtp: SmtpServer) -> None:
    if factory.database.is_sqlite:
        pytest.skip("one worker on SQLite; SKIP LOCKED claims are a PostgreSQL feature")
    user = factory.user(email="many@example.com")
    keys = [f"many:{n}" for n in range(60)]
    for key in keys:
        queue_mail(factory.database, user.id, key, in_app=False)
    start = threading.Barrier(4)
    reports = []

    def work() -> None:
        start.wait()
        reports.append(deliver_due())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(smtp.mailbox.idempotency_keys()) == sorted(keys)
    assert sum(r.sent for r in reports) == 60
    assert {m.status for m in outbox(factory.database)} == {OutboxStatus.sent}


def test_notify_twice_with_the_same_key_gives_one_email_and_one_notice(
    factory: Factory, smtp: SmtpServer
) -> None:
    user = factory.actor()
    first = queue_mail(factory.database, user.id, "event:42")
    second = queue_mail(factory.database, user.id, "event:42")

    assert first == second
    deliver_due()
    assert smtp.mailbox.idempotency_keys().count("event:42") == 1
    notices = user.api.get("/api/v1/notifications").json()
    assert [n["kind"] for n in notices["items"]].count("account.password_reset") == 1


def test_a_message_is_dead_after_the_maximum_attempts_and_staff_retry_delivers_it(
    factory: Factory, smtp: SmtpServer
) -> None:
    staff = factory.actor(Role.staff)
    user = factory.user(email="dead@example.com")
    deliver_due()  # the staff member's login notice
    smtp.stop()
    message_id = queue_mail(factory.database, user.id, "dead:1")

    outcomes = []
    for _ in range(3):  # PORTAL_OUTBOX_MAX_ATTEMPTS=3 in the test settings
        report = deliver_due()
        outcomes.append((report.failed, report.dead))
        make_due_now(factory.database)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert deliver_due().dead == 0  # a dead message is never claimed again

    listed = staff.api.get("/api/v1/outbox", params={"status": "dead"}).json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert (item["id"], item["attempts"], item["to_email"]) == (message_id, 3, "dead@example.com")
    assert "Connection" in item["last_error"]

    smtp.start()
    retried = staff.api.post(f"/api/v1/outbox/{message_id}/retry")
    assert retried.status_code == 200
    assert (retried.json()["status"], retried.json()["attempts"]) == ("queued", 0)
    assert staff.api.post(f"/api/v1/outbox/{message_id}/retry").status_code == 409

    assert deliver_due().sent == 1
    assert smtp.mailbox.idempotency_keys().count("dead:1") == 1
    assert staff.api.get(f"/api/v1/outbox/{message_id}").json()["status"] == "sent"


def test_portal_worker_once_delivers_and_reports(factory: Factory, smtp: SmtpServer) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    user = factory.user(email="cli@example.com")
    queue_mail(factory.database, user.id, "cli:1")

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        result = CliRunner().invoke(cli, ["worker", "--once"])
    finally:  # the command logs to the runner's stderr, which is closed once it returns
        root.handlers[:] = handlers
        root.setLevel(level)

    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0, dead 0" in result.output
    assert smtp.mailbox.idempotency_keys() == ["cli:1"]
