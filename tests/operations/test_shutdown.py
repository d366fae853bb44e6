"""SIGTERM lets the request in flight finish before the server exits."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from app.db import Database
from tests.servers import free_port, wait_until_answering


def test_sigterm_lets_a_request_in_flight_finish(db: Database, tmp_path: Path) -> None:
    port = free_port()
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
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", server, seconds=60)
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
