"""Real `portal serve` processes, for the tests that need a socket, a signal or a crash: a free
port, and a wait until the server answers."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(url: str, server: subprocess.Popen[bytes], *, seconds: float) -> None:
    """Poll `url` until it answers with a success, failing if the server exits first. One client
    serves every poll: each new one loads the certificate bundle, 20 ms of a busy CPU."""
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=1) as client:
        while True:
            assert server.poll() is None, f"the server exited while starting ({server.returncode})"
            try:
                if client.get(url).is_success:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"the server did not answer within {seconds:.0f} s"
            time.sleep(0.1)
