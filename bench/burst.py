"""A burst of writes against a running `portal serve`: the site must answer, fast, and keep count.

    .venv/bin/python -m bench.burst [--enrolments 200] [--resets 100] [--seats 10]
        [--databases sqlite,postgresql] [--workers 1,2]

For each database and worker count: a fresh database, 200 members with bearer tokens and one
training session with 10 seats; `portal serve` in its own process; then, all at once, 200
enrolments (one per member) and 100 anonymous password resets, while a prober asks for `GET /`
every 100 ms. Prints the responses by status, client time-outs, enrolments stored vs
acknowledged (201), the seats taken, and the slowest `GET /` during the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.run import DEFAULT_PG, PYTHON, _free_port, _pg_reachable, log, server

CLIENT_TIMEOUT = 30.0
PASSWORD = "burst-password-2026"


@dataclass
class BurstResult:
    database: str
    workers: int
    statuses: Counter[str] = field(default_factory=Counter)
    timeouts: int = 0
    acknowledged: int = 0
    stored: int = 0
    seated: int = 0
    seats: int = 0
    home_max_ms: float = 0.0
    home_p50_ms: float = 0.0
    home_errors: int = 0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))


def prepare(url: str, *, members: int, seats: int) -> tuple[int, list[str]]:
    """Members with tokens and a session of `seats` seats; returns the session id and tokens."""
    from app import migrations
    from app.accounts import credentials
    from app.accounts import service as accounts
    from app.accounts.models import Role, UserRole
    from app.db import Database, set_database, utcnow
    from app.domains import load_models
    from app.training import service as training

    migrations.upgrade(url)
    load_models()
    database = Database(url)
    # The audit rows written here are sealed after the commit, in the process-wide database.
    set_database(database)
    tokens: list[str] = []
    with database.session_scope() as session:
        staff = accounts.register(
            session,
            email="staff@burst.example",
            password=PASSWORD,
            full_name="Staff",
            locale="en",
            timezone="Europe/Moscow",
            consent_personal_data=True,
        )
        staff.role_rows.append(UserRole(role=Role.staff))
        session.flush()
        course = training.create_course(
            session,
            actor=staff,
            values={"title": "Business plan", "description": "Burst", "language": "ru"},
        )
        starts = utcnow() + timedelta(days=7)
        training_session = training.create_session(
            session,
            actor=staff,
            course_id=course.id,
            values={
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "capacity": seats,
                "location": "Технопарк",
            },
        )
        session_id = training_session.id
        for number in range(members):
            user = accounts.register(
                session,
                email=f"member{number}@burst.example",
                password=PASSWORD,
                full_name=f"Member {number}",
                locale="ru",
                timezone="Europe/Moscow",
                consent_personal_data=True,
            )
            session.flush()
            _token, secret = credentials.issue_api_token(session, user, name="burst")
            tokens.append(secret)
    set_database(None)
    database.dispose()
    return session_id, tokens


def count_enrolments(url: str, session_id: int) -> tuple[int, int]:
    """(enrolments stored, of them holding a seat)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = connection.scalar(
            text("SELECT count(*) FROM training_enrolments WHERE session_id = :id"),
            {"id": session_id},
        )
        seated = connection.scalar(
            text(
                "SELECT count(*) FROM training_enrolments"
                " WHERE session_id = :id AND status = 'enrolled'"
            ),
            {"id": session_id},
        )
    engine.dispose()
    return int(stored or 0), int(seated or 0)


async def fire(base: str, session_id: int, tokens: list[str], resets: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=len(tokens) + resets + 4, max_keepalive_connections=0)
    statuses: Counter[str] = Counter()
    timeouts = 0
    acknowledged = 0
    home: list[float] = []
    home_errors = 0
    done = asyncio.Event()

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=CLIENT_TIMEOUT) as client:

        async def call(method: str, path: str, **kwargs: Any) -> httpx.Response | None:
            nonlocal timeouts
            try:
                response = await client.request(method, path, **kwargs)
            except httpx.TimeoutException:
                timeouts += 1
                return None
            except httpx.HTTPError as exc:
                statuses[f"error:{type(exc).__name__}"] += 1
                return None
            statuses[str(response.status_code)] += 1
            return response

        async def enrol(token: str) -> None:
            nonlocal acknowledged
            response = await call(
                "POST",
                f"/api/v1/sessions/{session_id}/enrolments",
                headers={"Authorization": f"Bearer {token}"},
            )
            if response is not None and response.status_code == 201:
                acknowledged += 1

        async def reset(number: int) -> None:
            email = f"member{number}@burst.example" if number % 2 else f"nobody{number}@x.example"
            await call("POST", "/api/v1/auth/password-reset", json={"email": email})

        async def probe() -> None:
            nonlocal home_errors
            async with httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT) as prober:
                while not done.is_set():
                    started = time.perf_counter()
                    try:
                        response = await prober.get("/")
                        if response.status_code != 200:
                            home_errors += 1
                    except httpx.HTTPError:
                        home_errors += 1
                    home.append((time.perf_counter() - started) * 1000)
                    await asyncio.sleep(0.1)

        prober = asyncio.create_task(probe())
        await asyncio.sleep(0.3)
        started = time.perf_counter()
        await asyncio.gather(
            *(enrol(token) for token in tokens), *(reset(n) for n in range(resets))
        )
        seconds = time.perf_counter() - started
        done.set()
        await prober
    return {
        "statuses": statuses,
        "timeouts": timeouts,
        "acknowledged": acknowledged,
        "seconds": seconds,
        "home": home,
        "home_errors": home_errors,
    }


def database_url(kind: str, workdir: Path) -> tuple[str, Any]:
    """A fresh database of `kind` and a function that drops it."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'burst.db'}", lambda: None
    base = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
    name = f"portal_burst_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(f"{base}/{name}").render_as_string(hide_password=False), drop


def run_one(kind: str, workers: int, args: argparse.Namespace) -> BurstResult:
    with tempfile.TemporaryDirectory(prefix="portal-burst-") as folder:
        workdir = Path(folder)
        url, drop = database_url(kind, workdir)
        try:
            os.environ["PORTAL_VAR_DIR"] = str(workdir / "var")
            os.environ["PORTAL_ARGON2_TIME_COST"] = "1"
            os.environ["PORTAL_ARGON2_MEMORY_KIB"] = "1024"
            session_id, tokens = prepare(url, members=args.enrolments, seats=args.seats)
            port = _free_port()
            command = [PYTHON, "-m", "app.cli", "serve", "--port", str(port)]
            command += ["--workers", str(workers)]
            with server(command, url, workdir, port, f"burst-{kind}-{workers}") as base:
                outcome = asyncio.run(fire(base, session_id, tokens, args.resets))
            stored, seated = count_enrolments(url, session_id)
        finally:
            drop()
    home = outcome["home"]
    return BurstResult(
        database=kind,
        workers=workers,
        statuses=outcome["statuses"],
        timeouts=outcome["timeouts"],
        acknowledged=outcome["acknowledged"],
        stored=stored,
        seated=seated,
        seats=args.seats,
        home_max_ms=max(home) if home else 0.0,
        home_p50_ms=statistics.median(home) if home else 0.0,
        home_errors=outcome["home_errors"],
        seconds=outcome["seconds"],
    )


def markdown(results: list[BurstResult], args: argparse.Namespace) -> str:
    lines = [
        f"{args.enrolments} concurrent enrolments into {args.seats} seats and {args.resets} "
        f"anonymous password resets, client time-out {CLIENT_TIMEOUT:.0f} s",
        "",
        "| database | workers | responses by status | 5xx | time-outs | stored / acknowledged "
        "| seats taken | slowest `GET /` (p50) | burst |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        statuses = ", ".join(f"{s} × {n}" for s, n in sorted(r.statuses.items()))
        ok = "ok" if r.stored == r.acknowledged else "MISMATCH"
        lines.append(
            f"| {r.database} | {r.workers} | {statuses} | {r.server_errors} | {r.timeouts} "
            f"| {r.stored} / {r.acknowledged} ({ok}) | {r.seated} of {r.seats} "
            f"| {r.home_max_ms:.0f} ms ({r.home_p50_ms:.0f} ms) | {r.seconds:.1f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=200)
    parser.add_argument("--resets", type=int, default=100)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    results = []
    for kind in args.databases.split(","):
        if kind == "postgresql" and not _pg_reachable(os.environ.get("BENCH_PG_URL", DEFAULT_PG)):
            log("PostgreSQL is not reachable; skipped")
            continue
        for workers in (int(w) for w in args.workers.split(",")):
            log(f"{kind}, {workers} worker(s)")
            results.append(run_one(kind, workers, args))
    report = markdown(results, args)
    print(report)
    failed = any(
        r.server_errors or r.timeouts or r.stored != r.acknowledged or r.seated != r.seats
        for r in results
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
