"""The `portal` command tells a newcomer what to do when the port is taken."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from app.cli import cli


def test_a_busy_port_is_refused_with_the_port_to_try_before_anything_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output
    assert f"portal serve --port {port + 1}" in result.output
    assert "schema" not in result.output  # refused before migrating
