"""Notices, email preferences and the staff outbox over the JSON API."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.audit import AuditEntry
from app.i18n import N_
from app.notifications import kinds
from app.notifications.models import EmailPreference, Notification, OutboxMessage, OutboxStatus
from app.notifications.worker import deliver_due
from tests.factories import Factory
from tests.notifications.helpers import outbox, queue_mail

DIGEST = kinds.register_kind("tests.digest", N_("Weekly digest"))


def _notices(factory: Factory, user_id: int) -> list[Notification]:
    with factory.database.session_scope(write=False) as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


def test_notifications_list_the_callers_own_newest_first_with_an_unread_filter(
    factory: Factory,
) -> None:
    alice, bob = factory.actor(login=True), factory.actor(login=True)
    queue_mail(factory.database, alice.id, "a:1")
    queue_mail(factory.database, alice.id, "a:2")
    queue_mail(factory.database, bob.id, "b:1")
    own = _notices(factory, alice.id)
    assert len(own) == 3  # the login-token notice and two resets

    listed = alice.api.get("/api/v1/notifications")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3
    assert [n["id"] for n in body["items"]] == [n.id for n in reversed(own)]
    assert body["items"][0]["link"] == "/password-reset/a:2"
    assert body["items"][0]["read"] is False

    alice.api.post(f"/api/v1/notifications/{own[0].id}/read")
    unread = alice.api.get("/api/v1/notifications", params={"unread": "true"}).json()
    assert (unread["total"], [n["id"] for n in unread["items"]]) == (2, [own[2].id, own[1].id])
    page = alice.api.get("/api/v1/notifications", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [n["id"] for n in page["items"]]) == (3, [own[1].id])


def test_mark_read_of_another_users_notice_is_not_found(factory: Factory) -> None:
    alice, bob = factory.actor(login=True), factory.actor(login=True)
    [bobs] = _notices(factory, bob.id)

    assert alice.api.post(f"/api/v1/notifications/{bobs.id}/read").status_code == 404
    assert alice.api.post("/api/v1/notifications/999999/read").status_code == 404
    assert alice.api.post("/api/v1/notifications/99999999999999999999/read").status_code == 422
    assert _notices(factory, bob.id)[0].read_at is None

    marked = bob.api.post(f"/api/v1/notifications/{bobs.id}/read")
    assert marked.status_code == 200
    assert marked.json()["read"] is True
    again = bob.api.post(f"/api/v1/notifications/{bobs.id}/read")
    assert again.json()["read_at"] == marked.json()["read_at"]


def test_mark_all_read_touches_only_the_callers_notices(factory: Factory) -> None:
    alice, bob = factory.actor(login=True), factory.actor(login=True)
    queue_mail(factory.database, alice.id, "a:1")

    response = alice.api.post("/api/v1/notifications/read-all")

    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread": 0}
    assert all(n.read_at is not None for n in _notices(factory, alice.id))
    assert [n.read_at for n in _notices(factory, bob.id)] == [None]


def test_notifications_need_a_login(client, factory: Factory) -> None:
    user = factory.user()
    queue_mail(factory.database, user.id, "login:1")
    for response in (
        client.get("/api/v1/notifications"),
        client.post("/api/v1/notifications/read-all"),
        client.get("/api/v1/me/notification-preferences"),
    ):
        assert response.status_code == 401
        assert response.json() == {"detail": "Пожалуйста, войдите в систему."}
    with factory.database.session_scope(write=False) as session:
        unread = session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert len(unread) == 1


def test_preferences_show_security_mail_as_always_on(factory: Factory) -> None:
    user = factory.actor(login=True)

    body = user.api.get("/api/v1/me/notification-preferences", params={"lang": "en"}).json()

    by_kind = {k["kind"]: k for k in body["kinds"]}
    assert by_kind["account.password_reset"] == {
        "kind": "account.password_reset",
        "label": "Password reset",
        "essential": True,
        "email": True,
    }
    assert (by_kind["account.new_token"]["essential"], by_kind["account.new_token"]["email"]) == (
        True,
        True,
    )
    assert by_kind["tests.digest"] == {
        "kind": "tests.digest",
        "label": "Weekly digest",
        "essential": False,
        "email": True,
    }


def test_turning_a_kind_off_stops_its_email_but_keeps_the_notice(factory: Factory) -> None:
    user = factory.actor(login=True)

    response = user.api.put(
        "/api/v1/me/notification-preferences", json={"email": {"tests.digest": False}}
    )

    assert response.status_code == 200
    assert {k["kind"]: k["email"] for k in response.json()["kinds"]}["tests.digest"] is False
    queue_mail(factory.database, user.id, "digest:1", kind=DIGEST)
    queue_mail(factory.database, user.id, "digest:1", kind=DIGEST)
    [row] = [m for m in outbox(factory.database) if m.kind == "tests.digest"]
    assert (row.status, row.body_text) == (OutboxStatus.skipped, "")
    assert [n.kind for n in _notices(factory, user.id)].count("tests.digest") == 1
    assert deliver_due().sent == 1  # only the login-token mail
    with factory.database.session_scope(write=False) as session:
        action = session.scalar(
            select(AuditEntry.action).where(AuditEntry.action.like("notifications.%"))
        )
    assert action == "notifications.preferences_changed"

    back_on = user.api.put(
        "/api/v1/me/notification-preferences", json={"email": {"tests.digest": True}}
    )
    assert {k["kind"]: k["email"] for k in back_on.json()["kinds"]}["tests.digest"] is True
    assert factory.count(EmailPreference) == 0


def test_security_mail_cannot_be_turned_off_and_bad_input_is_refused(factory: Factory) -> None:
    user = factory.actor(login=True)
    cases = [
        {"email": {"account.password_reset": False}},
        {"email": {"no.such.kind": False}},
        {"email": {"tests.digest": "maybe"}},
        {"email": {"tests.digest": False}, "extra": 1},
        {"email": {"x" * 61: False}},
        {},
    ]
    for body in cases:
        response = user.api.put("/api/v1/me/notification-preferences", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][:2] in (["body", "email"], ["body", "extra"])
    assert (
        user.api.put(
            "/api/v1/me/notification-preferences",
            content=b"{nope",
            headers={"content-type": "application/json"},
        ).status_code
        == 400
    )
    assert factory.count(EmailPreference) == 0


def test_outbox_is_for_staff_and_never_shows_bodies(factory: Factory) -> None:
    staff, user = factory.actor(Role.staff, login=True), factory.actor(login=True)
    queue_mail(factory.database, user.id, "reset:secret-link")

    assert user.api.get("/api/v1/outbox").status_code == 403
    assert user.api.post("/api/v1/outbox/1/retry").status_code == 403
    listed = staff.api.get("/api/v1/outbox", params={"status": "queued", "q": user.user.email})
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 2
    assert [i["kind"] for i in body["items"]] == ["account.password_reset", "account.new_token"]
    assert "body_text" not in body["items"][0] and "body_html" not in body["items"][0]
    by_kind = staff.api.get("/api/v1/outbox", params={"kind": "account.new_token"}).json()
    assert by_kind["total"] == 2
    everything = staff.api.get("/api/v1/outbox").json()["total"]
    assert everything == factory.count(OutboxMessage) and everything > 2
    assert staff.api.get("/api/v1/outbox", params={"status": "lost"}).status_code == 422
    assert staff.api.get("/api/v1/outbox/999999").status_code == 404
    queued_id = body["items"][0]["id"]
    assert staff.api.post(f"/api/v1/outbox/{queued_id}/retry").status_code == 409
