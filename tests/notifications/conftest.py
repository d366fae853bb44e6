from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notifications.helpers import SmtpServer, smtp_settings


@pytest.fixture
def smtp(db) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    with smtp_settings(server.port):
        yield server
    server.stop()
