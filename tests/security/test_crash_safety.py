"""SIGKILL the server under concurrent writes: every acknowledged write survives the restart
and the database stays consistent (audit chain intact; SQLite integrity check ok)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select, text

from app.accounts.models import User
from app.audit import seal, verify_chain
from app.db import Database
from tests.servers import free_port, wait_until_answering

PORTAL = str(Path(sys.executable).with_name("portal"))
WRITERS = 6


@contextmanager
def _server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    log = Path(os.environ["PORTAL_VAR_DIR"], f"serve-{port}.log").open("wb")  # noqa: SIM115
    process = subprocess.Popen(
        [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # 90 s: imports and migrations, on a busy machine
        wait_until_answering(f"http://127.0.0.1:{port}/api/v1/members", process, seconds=90)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        log.close()


def test_acknowledged_writes_survive_a_sigkill_under_load(db: Database) -> None:
    port = free_port()
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(number: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            sequence = 0
            while not stop.is_set():
                sequence += 1
                email = f"crash-{number}-{sequence}@example.com"
                try:
                    response = client.post(
                        "/api/v1/auth/register",
                        json={
                            "email": email,
                            "password": "correct horse battery staple",
                            "full_name": f"Writer {number}",
                            "consent_personal_data": True,
                        },
                    )
                except httpx.HTTPError:
                    continue  # the server is gone: this write was never acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(email)

    with _server(port) as process:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(acknowledged) < 15 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(acknowledged) >= 15, "too few writes were acknowledged before the kill"

    with _server(free_port()):
        with db.session_scope(write=False) as session:
            stored = set(session.scalars(select(User.email).where(User.email.like("crash-%"))))
        assert set(acknowledged) <= stored, sorted(set(acknowledged) - stored)

    with db.session_scope() as session:
        seal(session)  # what `portal audit verify` does first
    with db.session_scope(write=False) as session:
        report = verify_chain(session)
    assert report.ok and report.checked >= len(acknowledged), report
    if db.is_sqlite:
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
