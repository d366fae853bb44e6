"""Concurrent logins and concurrent uses of one reset link, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts import service as accounts
from app.accounts.models import PasswordResetToken, User
from app.accounts.passwords import verify_password
from app.audit import AuditEntry
from app.notifications.models import OutboxMessage
from tests.client import TestClient
from tests.factories import Factory
from tests.html import csrf_from

ATTEMPTS = 40
LINK_USES = 6


def fire_together(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run `call(i)` for i in 0..count-1 in threads released at the same instant."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _audit_count(factory: Factory, action: str) -> int:
    with factory.database.session_scope(write=False) as session:
        return (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


def test_concurrent_wrong_passwords_evaluate_at_most_the_limit(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = factory.user()
    evaluated: list[str] = []
    lock = threading.Lock()

    def counting_verify(password_hash: str | None, password: str) -> bool:
        with lock:
            evaluated.append(password)
        return verify_password(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting_verify)
    clients = [TestClient(factory.app, base_url="http://testserver") for _ in range(ATTEMPTS)]

    responses = fire_together(
        ATTEMPTS,
        lambda i: clients[i].post(
            "/api/v1/auth/token", json={"email": user.email, "password": f"wrong guess {i}"}
        ),
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [401] * 5 + [429] * (ATTEMPTS - 5)
    assert all(int(r.headers["Retry-After"]) > 0 for r in responses if r.status_code == 429)
    assert len(evaluated) == 5
    # The stored record of each evaluated failure: one audit row per password checked.
    assert _audit_count(factory, "auth.login_failed") == 5


def _reset_link(factory: Factory, client: TestClient, email: str) -> str:
    assert client.post("/api/v1/auth/password-reset", json={"email": email}).status_code == 202
    assert factory.answer_password_resets() == 1
    with factory.database.session_scope(write=False) as session:
        body = session.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.kind == "account.password_reset")
        ).one()
    link = next(word for word in body.split() if "/password-reset/" in word)
    return link.removeprefix("http://testserver")


def test_a_reset_link_used_six_times_at_once_changes_the_password_once(
    factory: Factory, client: TestClient
) -> None:
    user = factory.user()
    path = _reset_link(factory, client, user.email)
    browsers = [
        TestClient(factory.app, base_url="http://testserver", follow_redirects=False)
        for _ in range(LINK_USES)
    ]
    tokens = [csrf_from(browser.get(path).text) for browser in browsers]
    passwords = [f"brand new passphrase number {i}" for i in range(LINK_USES)]

    responses = fire_together(
        LINK_USES,
        lambda i: browsers[i].post(path, data={"password": passwords[i], "csrf_token": tokens[i]}),
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [303] + [404] * (LINK_USES - 1)
    assert _audit_count(factory, "auth.password_reset") == 1
    with factory.database.session_scope(write=False) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        matching = [p for p in passwords if verify_password(stored.password_hash, p)]
        reset = session.scalars(select(PasswordResetToken)).one()
    winner = responses[[r.status_code for r in responses].index(303)]
    assert winner.headers["location"] == "/login"
    assert matching == [passwords[responses.index(winner)]]
    assert reset.used_at is not None
