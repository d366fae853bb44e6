"""SIGTERM lets the request in flight finish before the server exits."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.db import Database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_live(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited while starting"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_sigterm_lets_a_request_in_flight_finish(db: Database, tmp_path: Path) -> None:
    port = _free_port()
    environment = {
        **os.environ,
        "PORTAL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": db.url,
        "PORTAL_SHUTDOWN_TIMEOUT_SECONDS": "10",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_live(port, server)
        body = b'{"email": "nobody@example.com", "password": "not the password"}'
        with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
            connection.sendall(
                b"POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:10]
            )
            time.sleep(0.5)  # the request is under way when the signal comes
            server.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            assert server.poll() is None, "the server exited with a request in flight"
            connection.sendall(body[10:])
            answer = connection.recv(4096)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        # Once done, the server exits, re-raising the signal it deferred (as uvicorn does).
        assert server.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
