"""A burst of writes against a real server: every request answered, none lost, the site up.

The portal runs in uvicorn on one event loop, as `portal serve` does, so the admission gates, the
thread pool and the connection pool are those of production. (`python -m bench.burst` is the
larger version, against `portal serve` with one and two workers.)
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from app.accounts import credentials
from app.accounts.models import Role, User
from app.training.models import Enrolment, EnrolmentStatus
from tests.factories import Factory
from tests.training.helpers import make_course, make_session

ENROLMENTS = 70
RESETS = 30
SEATS = 10


@pytest.fixture
def served(app: FastAPI, db) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)


def _member_tokens(factory: Factory, count: int) -> list[str]:
    users = [factory.user() for _ in range(count)]
    with factory.database.session_scope() as session:
        return [
            credentials.issue_api_token(session, session.get(User, u.id), name="burst")[1]
            for u in users
        ]


async def _burst(base: str, session_id: int, tokens: list[str]) -> tuple[Counter[int], int, list]:
    statuses: Counter[int] = Counter()
    acknowledged = 0
    home: list[tuple[int, float]] = []
    finished = asyncio.Event()
    limits = httpx.Limits(max_connections=ENROLMENTS + RESETS + 2, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def enrol(token: str) -> None:
            nonlocal acknowledged
            response = await client.post(
                f"/api/v1/sessions/{session_id}/enrolments",
                headers={"Authorization": f"Bearer {token}"},
            )
            statuses[response.status_code] += 1
            acknowledged += response.status_code == 201

        async def reset(number: int) -> None:
            response = await client.post(
                "/api/v1/auth/password-reset", json={"email": f"someone{number}@example.com"}
            )
            statuses[response.status_code] += 1

        async def probe() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=30) as prober:
                while not finished.is_set():
                    started = time.perf_counter()
                    response = await prober.get("/")
                    home.append((response.status_code, time.perf_counter() - started))
                    await asyncio.sleep(0.05)

        prober = asyncio.create_task(probe())
        await asyncio.gather(*(enrol(t) for t in tokens), *(reset(n) for n in range(RESETS)))
        finished.set()
        await prober
    return statuses, acknowledged, home


def test_a_burst_of_writes_is_answered_in_full_and_the_site_stays_up(
    factory: Factory, served: str
) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    training_session = make_session(staff.api, course["id"], capacity=SEATS)
    tokens = _member_tokens(factory, ENROLMENTS)

    statuses, acknowledged, home = asyncio.run(_burst(served, training_session["id"], tokens))

    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[201] == ENROLMENTS
    assert sum(statuses.values()) == ENROLMENTS + RESETS
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(
            select(Enrolment).where(Enrolment.session_id == training_session["id"])
        ).all()
    assert len(rows) == acknowledged == ENROLMENTS
    assert sum(r.status == EnrolmentStatus.enrolled for r in rows) == SEATS
    assert home and all(status == 200 for status, _ in home)
