from __future__ import annotations

from sqlalchemy import select, update

from app.accounts.models import User
from app.accounts.privacy import PRIVACY_POLICY_VERSION
from app.audit import AuditEntry, verify_chain
from tests.client import TestClient
from tests.factories import Factory


def test_admin_grants_and_revokes_roles(factory: Factory) -> None:
    admin = factory.actor("admin")
    actor = factory.actor()

    granted = admin.api.post(f"/api/v1/users/{actor.id}/roles", json={"role": "committee"})
    assert granted.status_code == 200
    assert granted.json()["roles"] == ["committee", "entrepreneur"]
    revoked = admin.api.delete(f"/api/v1/users/{actor.id}/roles/committee")
    assert revoked.status_code == 200
    assert revoked.json()["roles"] == ["entrepreneur"]
    assert (
        admin.api.post(f"/api/v1/users/{actor.id}/roles", json={"role": "wizard"}).status_code
        == 422
    )
    assert admin.api.post("/api/v1/users/999999/roles", json={"role": "staff"}).status_code == 404


def test_only_admins_change_roles(factory: Factory) -> None:
    staff = factory.actor("staff")
    actor = factory.actor()
    response = staff.api.post(f"/api/v1/users/{actor.id}/roles", json={"role": "admin"})
    assert response.status_code == 403
    assert actor.api.get("/api/v1/me").json()["roles"] == ["entrepreneur"]


def test_export_contains_the_users_data(factory: Factory) -> None:
    actor = factory.actor(login=True, full_name="Мария Иванова")
    factory.organisation(actor.user, name="Экспорт")

    data = actor.api.get("/api/v1/me/export").json()

    assert data["account"]["email"] == actor.user.email
    assert data["account"]["full_name"] == "Мария Иванова"
    assert data["account"]["consent"]["policy_version"] == PRIVACY_POLICY_VERSION
    assert data["organisations"][0]["name"] == "Экспорт"
    assert {row["action"] for row in data["audit"]} >= {"user.registered", "auth.login"}
    assert data["api_tokens"][0]["prefix"].startswith("cp_")


def test_erasure_anonymises_and_keeps_the_audit_chain(factory: Factory) -> None:
    actor = factory.actor(full_name="Секретное Имя")

    response = actor.api.delete("/api/v1/me")

    assert response.status_code == 202
    with factory.database.session_scope() as session:
        user = session.get(User, actor.id)
        assert user is not None
        assert "Секретное" not in user.full_name
        assert user.email.endswith("@erased.invalid")
        assert user.is_active is False
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "user.erased"))
        assert verify_chain(session).ok
    assert actor.api.get("/api/v1/me").status_code == 401


def test_audit_verify_detects_a_modified_row(factory: Factory) -> None:
    factory.actor(login=True)
    factory.actor(login=True)
    with factory.database.session_scope() as session:
        report = verify_chain(session)
        assert report.ok and report.checked >= 4
        second = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()[1]
        session.execute(
            update(AuditEntry).where(AuditEntry.id == second).values(action="user.tampered")
        )
    with factory.database.session_scope() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.first_broken_id == second


def test_password_reset_mail_in_users_language_and_link_works_once(
    factory: Factory, client
) -> None:
    from app.notifications.models import OutboxMessage
    from tests.html import csrf_from

    user = factory.user(locale="en")
    assert client.post("/api/v1/auth/password-reset", json={"email": user.email}).status_code == 202
    assert (
        client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"}).status_code
        == 202
    )
    assert factory.count(OutboxMessage) == 0  # the worker answers, not the request
    assert factory.answer_password_resets() == 1
    with factory.database.session_scope() as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert message.subject == "Reset your password"
    link = next(w for w in message.body_text.split() if "/password-reset/" in w)
    path = link.removeprefix("http://testserver")

    browser = TestClient(factory.app, follow_redirects=False)
    page = browser.get(path)
    assert page.status_code == 200
    done = browser.post(
        path, data={"password": "my brand new passphrase", "csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 303
    assert browser.get(path).status_code == 404
    token = browser.post(
        "/api/v1/auth/token", json={"email": user.email, "password": "my brand new passphrase"}
    )
    assert token.status_code == 200
