from __future__ import annotations

from sqlalchemy import select

from app.accounts import throttling
from app.accounts.models import ThrottleCounter, User
from app.accounts.privacy import PRIVACY_POLICY_VERSION
from app.audit import AuditEntry
from app.notifications.models import OutboxMessage
from tests.factories import PASSWORD, Factory

VALID = {
    "email": "Founder@Example.com",
    "password": "a long enough passphrase",
    "full_name": "Иван Петров",
    "consent_personal_data": True,
}


def test_register_creates_entrepreneur_with_recorded_consent(client, factory: Factory) -> None:
    response = client.post("/api/v1/auth/register", json=VALID)

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "founder@example.com"
    assert body["roles"] == ["entrepreneur"]
    with factory.database.session_scope() as session:
        user = session.scalars(select(User)).one()
        assert user.consent_at is not None
        assert user.consent_policy_version == PRIVACY_POLICY_VERSION
        assert user.password_hash.startswith("$argon2id$")


def test_register_without_consent_is_refused(client, factory: Factory) -> None:
    response = client.post("/api/v1/auth/register", json={**VALID, "consent_personal_data": False})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "consent_personal_data"]
    assert factory.count(User) == 0


def test_register_with_weak_password_is_refused(client, factory: Factory) -> None:
    for weak in ("short", "qwertyuiop", "1234567890", "aaaaaaaaaaaa"):
        response = client.post("/api/v1/auth/register", json={**VALID, "password": weak})
        assert response.status_code == 422, weak
        assert response.json()["detail"][0]["loc"] == ["body", "password"]
    assert factory.count(User) == 0


def test_register_twice_with_the_same_email_is_a_conflict(client, factory: Factory) -> None:
    assert client.post("/api/v1/auth/register", json=VALID).status_code == 201
    again = client.post("/api/v1/auth/register", json={**VALID, "email": "founder@example.COM"})
    assert again.status_code == 409
    assert (
        again.json()["detail"] == "Учётная запись с этим адресом электронной почты уже существует."
    )
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(User.email)).all() == ["founder@example.com"]


def test_bad_bodies_get_clear_4xx_and_write_nothing(client, factory: Factory) -> None:
    cases = [
        (b"{not json", 400),
        (b'{"email": 5}', 422),
        (
            b'{"email": "a@example.com", "password": "x", "full_name": "x", '
            b'"consent_personal_data": true, "is_admin": true}',
            422,
        ),
    ]
    for body, expected in cases:
        response = client.post(
            "/api/v1/auth/register", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == expected, body
        assert "detail" in response.json()
    nul = client.post("/api/v1/auth/register", json={**VALID, "full_name": "a\x00b"})
    assert nul.status_code == 422
    huge = client.post("/api/v1/auth/register", json={**VALID, "full_name": "я" * 100_000})
    assert huge.status_code in (413, 422)
    assert factory.count(User) == 0


def test_token_with_wrong_password_is_401_then_throttled_with_retry_after(
    client, factory: Factory
) -> None:
    user = factory.user()
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/token", json={"email": user.email, "password": "wrong password!"}
        )
        assert response.status_code == 401
    throttled = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})

    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    with factory.database.session_scope() as session:
        failed = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
        ).all()
        counter = session.get(ThrottleCounter, throttling.counter_key("login:account", user.email))
    assert len(failed) == 5
    assert counter is not None and counter.hits == 5


def test_throttling_ignores_spoofed_forwarded_for(client, factory: Factory) -> None:
    user = factory.user()
    for number in range(5):
        client.post(
            "/api/v1/auth/token",
            json={"email": user.email, "password": "wrong password!"},
            headers={"X-Forwarded-For": f"10.0.0.{number}"},
        )
    with factory.database.session_scope() as session:
        counted = {
            counter.key: counter.hits for counter in session.scalars(select(ThrottleCounter))
        }
    assert counted == {
        throttling.counter_key("login:account", user.email): 5,
        throttling.counter_key("login:address", "testclient"): 5,
    }


def test_token_issue_sends_security_mail_and_can_be_listed_and_revoked(factory: Factory) -> None:
    actor = factory.actor(login=True)

    tokens = actor.api.get("/api/v1/me/tokens").json()
    assert tokens["total"] == 1
    token_id = tokens["items"][0]["id"]
    with factory.database.session_scope() as session:
        kinds = list(session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["account.new_token"]

    assert actor.api.delete(f"/api/v1/me/tokens/{token_id}").status_code == 204
    assert actor.api.get("/api/v1/me").status_code == 401


def test_me_lists_roles_and_organisations(factory: Factory) -> None:
    actor = factory.actor()
    organisation = factory.organisation(actor.user, name="ГеоТех")

    me = actor.api.get("/api/v1/me").json()

    assert me["email"] == actor.user.email
    assert me["roles"] == ["entrepreneur"]
    assert me["organisations"] == [
        {"id": organisation.id, "name": "ГеоТех", "kind": "sme", "role": "owner"}
    ]
    assert me["locale"] == "ru" and me["timezone"] == "Europe/Moscow"


def test_me_without_credentials_is_401(client) -> None:
    anonymous = client.get("/api/v1/me")
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer cp_nonsense"})
    for response in (anonymous, forged):
        assert response.status_code == 401
        assert response.json() == {"detail": "Пожалуйста, войдите в систему."}
