"""The bell, the notice list, email preferences and the staff outbox in the browser."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role
from app.i18n import N_
from app.notifications import kinds
from app.notifications.kinds import all_kinds
from app.notifications.models import EmailPreference, OutboxStatus
from tests.factories import Factory
from tests.html import Page, csrf_from
from tests.notifications.helpers import outbox, queue_mail

kinds.register_kind("tests.digest", N_("Weekly digest"))


def test_the_bell_shows_the_unread_count_on_every_page(factory: Factory) -> None:
    user = factory.actor(login=True, browser=True)
    assert user.browser is not None
    queue_mail(factory.database, user.id, "bell:1")

    page = user.browser.get("/")

    bell = Page(page.text).find("a", class_="bell")
    assert bell.get("href") == "/notifications"
    badges = Page(page.text).find_all("span", class_="badge")
    assert [(badge.attrs, badge.text) for badge in badges] == [({"class": "badge"}, "2")]
    user.api.post("/api/v1/notifications/read-all")
    assert Page(user.browser.get("/").text).find_all("span", class_="badge") == []
    assert len(Page(user.browser.get("/").text).find_all("a", class_="bell")) == 1


def test_anonymous_pages_have_no_bell(client) -> None:
    assert Page(client.get("/").text).find_all("a", class_="bell") == []


def test_notification_list_marks_one_and_all_read(factory: Factory) -> None:
    user = factory.actor(login=True, browser=True, locale="en")
    browser = user.browser
    assert browser is not None
    queue_mail(factory.database, user.id, "page:1")

    page = browser.get("/notifications?lang=en")
    assert page.status_code == 200
    items = Page(page.text).find_all("li", class_="notification")
    assert len(items) == 2
    assert [item.attrs for item in Page(page.text).find_all("li", class_="unread")] == [
        {"class": "notification unread"}
    ] * 2
    newest = user.api.get("/api/v1/notifications").json()["items"][0]

    opened = browser.post(
        f"/notifications/{newest['id']}/read",
        data={"csrf_token": csrf_from(page.text), "open": "1"},
    )
    assert (opened.status_code, opened.headers["location"]) == (303, "/password-reset/page:1")
    assert len(Page(browser.get("/notifications").text).find_all("li", class_="unread")) == 1

    done = browser.post("/notifications/read-all", data={"csrf_token": csrf_from(page.text)})
    assert (done.status_code, done.headers["location"]) == (303, "/notifications")
    empty = browser.get("/notifications?unread=true")
    empty_notes = Page(empty.text).find_all("p", class_="empty")
    assert [(note.attrs, note.text) for note in empty_notes] == [
        ({"class": "empty"}, "No unread notifications.")
    ]
    forged = browser.post("/notifications/read-all", data={"csrf_token": "forged"})
    assert forged.status_code == 403


def test_another_users_notice_is_not_found_from_the_page(factory: Factory) -> None:
    alice, bob = factory.actor(login=True, browser=True), factory.actor(login=True)
    bobs = bob.api.get("/api/v1/notifications").json()["items"][0]["id"]
    assert alice.browser is not None
    token = csrf_from(alice.browser.get("/notifications").text)

    response = alice.browser.post(f"/notifications/{bobs}/read", data={"csrf_token": token})

    assert response.status_code == 404
    assert bob.api.get("/api/v1/notifications?unread=true").json()["total"] == 1


def test_preferences_page_turns_optional_mail_off_and_keeps_security_mail_on(
    factory: Factory,
) -> None:
    user = factory.actor(login=True, browser=True)
    browser = user.browser
    assert browser is not None

    page = browser.get("/notifications/preferences")
    reset = Page(page.text).find("input", id="kind-account.password_reset").attrs
    assert "disabled" in reset and "checked" in reset and "name" not in reset
    digest = Page(page.text).find("input", id="kind-tests.digest").attrs
    assert "checked" in digest

    saved = browser.post(
        "/notifications/preferences",
        data={"csrf_token": csrf_from(page.text), "kind-account.password_reset": ""},
    )

    assert saved.status_code == 303
    optional_kinds = {kind.slug for kind in all_kinds() if not kind.essential}
    with factory.database.session_scope() as session:
        opted_out = set(session.scalars(select(EmailPreference.kind)))
    assert opted_out == optional_kinds
    assert "tests.digest" in opted_out
    preferences = Page(browser.get("/notifications/preferences").text)
    assert "checked" not in preferences.find("input", id="kind-tests.digest").attrs
    queue_mail(factory.database, user.id, "reset:after-opt-out")
    reset_row = [m for m in outbox(factory.database) if m.idempotency_key == "reset:after-opt-out"]
    assert reset_row[0].status == OutboxStatus.queued


def test_staff_outbox_page_filters_and_retries_a_dead_message(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True, locale="en")
    user = factory.actor(login=True, browser=True)
    message_id = queue_mail(factory.database, user.id, "dead:page")
    from sqlalchemy import update

    from app.notifications.models import OutboxMessage

    with factory.database.session_scope() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=OutboxStatus.dead, attempts=8, last_error="SMTPRecipientsRefused: 550")
        )
    assert staff.browser is not None and user.browser is not None

    assert user.browser.get("/staff/outbox").status_code == 403
    page = staff.browser.get("/staff/outbox?status=dead&lang=en")
    assert page.status_code == 200
    rows = Page(page.text).find_all("tr")
    assert len(rows) == 2  # the header and the dead message
    assert "SMTPRecipientsRefused: 550" in rows[1].text
    assert "Dead" in rows[1].text
    assert "Password reset" in rows[1].text and "account.password_reset" not in rows[1].text
    assert staff.browser.get("/staff/outbox?status=nonsense").status_code == 422
    assert Page(staff.browser.get("/staff/outbox?q=nobody@x").text).find_all("tr") == []

    retried = staff.browser.post(
        f"/staff/outbox/{message_id}/retry", data={"csrf_token": csrf_from(page.text)}
    )
    assert (retried.status_code, retried.headers["location"]) == (303, "/staff/outbox")
    [row] = [m for m in outbox(factory.database) if m.id == message_id]
    assert (row.status, row.attempts) == (OutboxStatus.queued, 0)
    again = staff.browser.post(
        f"/staff/outbox/{message_id}/retry", data={"csrf_token": csrf_from(page.text)}
    )
    assert again.status_code == 409


def test_error_pages_of_a_logged_in_user_render_without_failing(factory: Factory) -> None:
    user = factory.actor(login=True, browser=True)
    assert user.browser is not None

    missing = user.browser.get("/notifications/999999")
    assert missing.status_code in (404, 405)
    denied = user.browser.get("/staff/outbox")
    assert denied.status_code == 403
    headings = [Page(response.text).find("h1").text for response in (missing, denied)]
    assert headings == ["Страница не найдена", "Доступ запрещён"]
    for response in (missing, denied):  # rendered for the signed-in user
        page = Page(response.text)
        assert page.find("a", href="/account").text == user.user.full_name
        assert page.form("/logout").method == "post"
