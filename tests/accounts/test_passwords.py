"""Password resets: limited per address and per client, the same work whether the address is
known or not; a new password (reset or change) ends the other sessions and the tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select, update

from app.accounts.models import ApiToken, PasswordResetRequest, User, WebSession
from app.db import utcnow
from app.notifications.models import OutboxMessage
from tests.client import TestClient
from tests.factories import PASSWORD, Factory
from tests.html import csrf_from

RESET = "/api/v1/auth/password-reset"


@contextmanager
def statements(factory: Factory) -> Iterator[list[str]]:
    """The SQL the database is sent meanwhile (statement text, without the parameters)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    engine = factory.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _reset_mails(factory: Factory) -> list[OutboxMessage]:
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "account.password_reset")
        ).all()
        session.expunge_all()
    return list(rows)


def test_resets_for_one_address_are_limited_with_retry_after(
    client: TestClient, factory: Factory
) -> None:
    user = factory.user()

    answers = [client.post(RESET, json={"email": user.email}) for _ in range(6)]

    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429, 429]
    assert int(answers[3].headers["Retry-After"]) > 3000  # the hour's window has just begun
    assert factory.count(PasswordResetRequest) == 3
    assert factory.answer_password_resets() == 3
    assert len(_reset_mails(factory)) == 3
    # An unknown address is counted the same way, so a 429 tells nothing about the account.
    unknown = [client.post(RESET, json={"email": "nobody@example.org"}) for _ in range(4)]
    assert [a.status_code for a in unknown] == [202, 202, 202, 429]


def test_resets_from_one_client_are_limited_across_addresses(
    client: TestClient, factory: Factory
) -> None:
    answers = [client.post(RESET, json={"email": f"someone{i}@example.org"}) for i in range(22)]

    assert [a.status_code for a in answers] == [202] * 20 + [429] * 2
    assert "Retry-After" in answers[-1].headers
    assert factory.count(PasswordResetRequest) == 20


def test_the_page_form_is_throttled_too(factory: Factory) -> None:
    user = factory.user()
    browser = TestClient(factory.app, base_url="http://testserver")
    codes = []
    for _ in range(4):
        page = browser.get("/password-reset")
        codes.append(
            browser.post(
                "/password-reset", data={"email": user.email, "csrf_token": csrf_from(page.text)}
            ).status_code
        )
    assert codes == [200, 200, 200, 429]


def test_a_known_and_an_unknown_address_cost_the_same_statements(
    client: TestClient, factory: Factory
) -> None:
    user = factory.user(email="known@example.com")

    with statements(factory) as known:
        assert client.post(RESET, json={"email": user.email}).status_code == 202
    with statements(factory) as unknown:
        assert client.post(RESET, json={"email": "unknown@example.com"}).status_code == 202

    assert known and known == unknown
    assert not any("users" in s for s in known)  # the request never looks the address up
    assert factory.answer_password_resets() == 1
    [mail] = _reset_mails(factory)
    assert mail.to_email == "known@example.com"
    assert factory.count(PasswordResetRequest) == 0


def test_a_request_the_worker_reaches_too_late_sends_nothing(
    client: TestClient, factory: Factory
) -> None:
    user = factory.user()
    assert client.post(RESET, json={"email": user.email}).status_code == 202
    with factory.database.session_scope() as session:
        session.execute(
            update(PasswordResetRequest).values(created_at=utcnow() - timedelta(hours=3))
        )

    assert factory.answer_password_resets() == 0
    assert _reset_mails(factory) == []
    assert factory.count(PasswordResetRequest) == 0


def _live_sessions(factory: Factory, user_id: int) -> int:
    with factory.database.session_scope(write=False) as session:
        return len(session.scalars(select(WebSession).where(WebSession.user_id == user_id)).all())


def _tokens(factory: Factory, user_id: int) -> int:
    with factory.database.session_scope(write=False) as session:
        return len(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all())


def test_a_password_change_keeps_this_browser_and_ends_the_others_and_the_tokens(
    factory: Factory,
) -> None:
    actor = factory.actor(browser=True)
    other_browser = factory.browser_client(actor.user)
    assert actor.browser is not None
    assert (_live_sessions(factory, actor.id), _tokens(factory, actor.id)) == (2, 1)

    page = actor.browser.get("/account")
    changed = actor.browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
            "csrf_token": csrf_from(page.text),
        },
    )

    assert (changed.status_code, changed.headers["location"]) == (303, "/account")
    assert actor.browser.get("/account").status_code == 200
    assert other_browser.get("/account").headers["location"].startswith("/login")
    assert actor.api.get("/api/v1/me").status_code == 401
    assert (_live_sessions(factory, actor.id), _tokens(factory, actor.id)) == (1, 0)


def test_a_password_reset_ends_every_session_and_token(
    client: TestClient, factory: Factory
) -> None:
    actor = factory.actor(browser=True)
    assert actor.browser is not None
    assert client.post(RESET, json={"email": actor.user.email}).status_code == 202
    assert client.post(RESET, json={"email": actor.user.email}).status_code == 202
    factory.answer_password_resets()
    first, second = (
        next(w for w in m.body_text.split() if "/password-reset/" in w).removeprefix(
            "http://testserver"
        )
        for m in _reset_mails(factory)
    )

    browser = TestClient(factory.app, base_url="http://testserver", follow_redirects=False)
    page = browser.get(first)
    done = browser.post(
        first, data={"password": "my brand new passphrase", "csrf_token": csrf_from(page.text)}
    )

    assert done.status_code == 303
    assert actor.browser.get("/account").headers["location"].startswith("/login")
    assert actor.api.get("/api/v1/me").status_code == 401
    assert (_live_sessions(factory, actor.id), _tokens(factory, actor.id)) == (0, 0)
    assert browser.get(second).status_code == 404  # the other link died with the old password
    with factory.database.session_scope(write=False) as session:
        user = session.get(User, actor.id)
        assert user is not None and user.is_active
