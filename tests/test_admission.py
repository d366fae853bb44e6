"""Overload turns into fast 503 answers with Retry-After, never a hang; so does a busy database."""

from __future__ import annotations

import threading

import anyio
import httpx
import pytest
from sqlalchemy import select, text
from starlette.types import Receive, Scope, Send

from app.accounts.models import Role
from app.admission import AdmissionMiddleware, Gate, Overloaded
from app.config import get_settings
from app.db import Database, set_database
from app.training.models import Enrolment
from tests.factories import Factory
from tests.training.helpers import make_course, make_session


def test_a_gate_refuses_at_once_when_too_many_wait_and_after_the_longest_wait() -> None:
    async def scenario() -> list[str]:
        gate = Gate("writes", 1, max_waiting=1, max_wait_seconds=0.2)
        outcomes: list[str] = []
        await gate.enter()  # the only place is taken

        async def second() -> None:
            try:
                await gate.enter()
            except Overloaded:
                outcomes.append("second waited too long")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(second)
            await anyio.sleep(0.05)
            with anyio.move_on_after(0.1) as scope:
                try:
                    await gate.enter()
                except Overloaded:
                    outcomes.append("third refused at once")
            assert not scope.cancelled_caught
        gate.leave()
        await gate.enter()  # the place is free again
        outcomes.append("free again")
        return outcomes

    assert anyio.run(scenario) == ["third refused at once", "second waited too long", "free again"]


def _blocking_app(release: threading.Event, inside: threading.Event):
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        inside.set()
        await anyio.to_thread.run_sync(release.wait)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    return app


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/api/v1/sessions/1/enrolments", "application/json", '"detail"'),
        ("/login", "text/html", "<h1>"),
    ],
)
def test_a_full_gate_answers_503_with_retry_after_json_or_a_page(
    monkeypatch: pytest.MonkeyPatch, path: str, content_type: str, marker: str
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "write_slots", 1)
    monkeypatch.setattr(settings, "request_queue_max", 1)
    monkeypatch.setattr(settings, "request_queue_seconds", 30.0)
    release, inside = threading.Event(), threading.Event()
    middleware = AdmissionMiddleware(_blocking_app(release, inside))

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=middleware)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            async with anyio.create_task_group() as tasks:
                answers: list[httpx.Response] = []

                async def call() -> None:
                    answers.append(await client.post(path, headers={"Accept-Language": "en"}))

                tasks.start_soon(call)  # takes the one place
                await anyio.to_thread.run_sync(inside.wait)
                tasks.start_soon(call)  # waits
                await anyio.sleep(0.05)
                refused = await client.post(path, headers={"Accept-Language": "en"})
                release.set()
            return [refused, *answers]

    refused, *served = anyio.run(scenario)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert refused.headers["content-type"].startswith(content_type)
    assert marker in refused.text and "busy" in refused.text
    assert [r.status_code for r in served] == [200, 200]


def test_a_lock_not_granted_in_time_is_a_503_and_stores_nothing(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction elsewhere holds what the request needs: the request gives up after the lock
    timeout with a 503 to retry, instead of holding a connection and a thread indefinitely."""
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    training_session = make_session(staff.api, course["id"], capacity=3)
    member = factory.actor()
    settings = get_settings()
    monkeypatch.setattr(settings, "db_lock_timeout_ms", 300)
    impatient = Database(settings.database_url)
    blocker = Database(settings.database_url)
    set_database(impatient)
    try:
        with blocker.engine.connect().execution_options(sqlite_immediate=True) as connection:
            if blocker.is_sqlite:
                connection.execute(text("SELECT 1"))  # the write lock, BEGIN IMMEDIATE
            else:
                connection.execute(
                    text("SELECT id FROM training_sessions WHERE id = :id FOR UPDATE"),
                    {"id": training_session["id"]},
                )
            response = member.api.post(f"/api/v1/sessions/{training_session['id']}/enrolments")
            connection.rollback()
    finally:
        set_database(factory.database)
        blocker.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(Enrolment)).all() == []
    retried = member.api.post(f"/api/v1/sessions/{training_session['id']}/enrolments")
    assert retried.status_code == 201
