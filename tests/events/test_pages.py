"""The events pages in Russian and English: the list with its buttons, an event's page, the
staff's form, participants and attendance, the menu and the workspace."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from tests.events.helpers import future, make_event, move_event, outbox
from tests.factories import make_member
from tests.html import Page


def _row(page: Page, event_id: int) -> str:
    return page.within(f"event-{event_id}").text


def test_list_registers_and_unregisters_from_the_page_in_both_languages(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(
        staff.api,
        title="Сетевой день",
        capacity=2,
        translations={"en": {"title": "Networking day", "location": "Atrium"}},
    )
    person = factory.actor(browser=True)
    page = Page(person.browser.get("/events?lang=ru").text)
    assert page.html_lang == "ru"
    assert "Ближайшие мероприятия" in page.text
    assert "Сетевой день" in _row(page, event["id"]) and "2 / 2" in _row(page, event["id"])
    assert "Зарегистрироваться" in _row(page, event["id"])
    response = person.browser.post(
        f"/events/{event['id']}/register",
        data={"csrf_token": page.csrf_token},
        headers={"referer": "http://testserver/events?page=1"},
    )
    assert (response.status_code, response.headers["location"]) == (303, "/events?page=1")

    after = Page(person.browser.get("/events?lang=en").text)
    row = _row(after, event["id"])
    assert "Networking day" in row and "Atrium" in row
    assert "1 / 2" in row and "Registered" in row and "Unregister" in row
    assert after.flashes == ["Вы зарегистрированы."]  # said in the language of the request
    undo = person.browser.post(
        f"/events/{event['id']}/unregister", data={"csrf_token": after.csrf_token}
    )
    assert (undo.status_code, undo.headers["location"]) == (303, f"/events/{event['id']}")
    again = Page(person.browser.get("/events?lang=en").text)
    assert "2 / 2" in _row(again, event["id"]) and "Register" in _row(again, event["id"])


def test_event_page_shows_the_waitlist_place_and_the_calendar_link(factory) -> None:
    staff = factory.actor(Role.staff)
    event = make_event(staff.api, title="Demo day", kind="demo_day", capacity=1)
    factory.actor().api.post(f"/api/v1/events/{event['id']}/registrations")
    person = factory.actor(browser=True, locale="en")
    page = Page(person.browser.get(f"/events/{event['id']}?lang=en").text)
    assert "Join the waitlist" in page.text and "Demo day" in page.find("dl").text
    assert f"/api/v1/events/{event['id']}/calendar.ics" in [link.href for link in page.links()]
    person.browser.post(f"/events/{event['id']}/register", data={"csrf_token": page.csrf_token})
    assert outbox(factory.database, "events.registration_confirmed")[-1] == (
        person.id,
        "You are on the waitlist: Demo day",
    )
    after = Page(person.browser.get(f"/events/{event['id']}?lang=en").text)
    assert "The event is full: you are number 1 on the waitlist." in after.flashes
    assert "You are number 1 on the waitlist." in after.find(class_="my-place").text
    assert "Leave the waitlist" in after.text
    ru = Page(person.browser.get(f"/events/{event['id']}?lang=ru").text)
    assert "Демо-день" in ru.find("dl").text and "Выйти из листа ожидания" in ru.text


def test_members_only_pages_are_for_members_and_staff(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    event = make_event(staff.api, title="Members evening", members_only=True)
    stranger = factory.actor(browser=True)
    assert "Members evening" not in stranger.browser.get("/events?lang=en").text
    assert stranger.browser.get(f"/events/{event['id']}").status_code == 404
    member = factory.actor(browser=True)
    make_member(factory.database, factory.organisation(member.user))
    assert "Members evening" in member.browser.get("/events?lang=en").text
    assert member.browser.get(f"/events/{event['id']}").status_code == 200
    assert staff.browser.get(f"/events/{event['id']}").status_code == 200


def test_staff_publish_and_edit_from_the_form_and_every_error_is_shown(factory) -> None:
    staff = factory.actor(Role.staff, browser=True, timezone="Europe/Moscow")
    form = Page(staff.browser.get("/events/new?lang=en").text)
    assert form.unlabelled_controls() == []
    starts = future(72).strftime("%Y-%m-%dT%H:%M")
    refused = staff.browser.post(
        "/events/new?lang=en",
        data={
            "csrf_token": form.csrf_token,
            "title": "",
            "kind": "workshop",
            "starts_at": starts,
            "ends_at": starts,
            "location": "Room 1",
        },
    )
    assert refused.status_code == 422
    errors = Page(refused.text).field_errors
    assert set(errors) == {"title", "ends_at"}
    assert errors["ends_at"] == "The event must end after it starts."
    assert Page(refused.text).control("location").get("value") == "Room 1"

    ends = future(75).strftime("%Y-%m-%dT%H:%M")
    created = staff.browser.post(
        "/events/new",
        data={
            "csrf_token": form.csrf_token,
            "title": "Export workshop",
            "kind": "workshop",
            "language": "en",
            "starts_at": starts,
            "ends_at": ends,
            "location": "Room 1",
            "capacity": "",
            "members_only": "on",
            "tr_title": "Мастерская по экспорту",
        },
    )
    assert created.status_code == 303
    event_id = int(created.headers["location"].rsplit("/", 1)[-1])
    shown = staff.api.get(f"/api/v1/events/{event_id}").json()
    assert (shown["capacity"], shown["members_only"], shown["kind"]) == (None, True, "workshop")
    assert shown["translations"] == {"ru": {"title": "Мастерская по экспорту"}}

    edit = Page(staff.browser.get(f"/events/{event_id}/edit?lang=ru").text)
    assert edit.control("starts_at").get("value") == starts
    assert edit.control("tr_title").get("value") == "Мастерская по экспорту"
    fields = {**edit.form(f"/events/{event_id}/edit").fields, "capacity": "10"}
    fields.pop("members_only", None)
    saved = staff.browser.post(f"/events/{event_id}/edit", data=fields)
    assert saved.status_code == 303, Page(saved.text).field_errors
    shown = staff.api.get(f"/api/v1/events/{event_id}").json()
    assert (shown["capacity"], shown["members_only"], shown["title"]) == (
        10,
        False,
        "Export workshop",
    )

    outsider = factory.actor(browser=True)
    assert outsider.browser.get("/events/new").status_code == 403
    assert outsider.browser.get(f"/events/{event_id}/edit").status_code == 403


def test_participants_page_marks_attendance_in_both_languages(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    event = make_event(staff.api, title="Conference", kind="conference", capacity=1)
    came = factory.actor(full_name="Came Person")
    waiting = factory.actor(full_name="Waiting Person")
    for person in (came, waiting):
        person.api.post(f"/api/v1/events/{event['id']}/registrations")
    page = Page(staff.browser.get(f"/events/{event['id']}/participants?lang=en").text)
    rows = page.table_rows()
    assert [r[:3] for r in rows[1:]] == [
        ["Came Person", came.user.email, "Registered"],
        ["Waiting Person", waiting.user.email, "On the waitlist (1)"],
    ]
    assert "Attendance can be marked once the event has started." in page.text
    move_event(factory.database, event["id"], starts_in=timedelta(minutes=-5))
    page = Page(staff.browser.get(f"/events/{event['id']}/participants?lang=ru").text)
    assert "Участники" in page.text
    form = page.form(f"/events/{event['id']}/attendance")
    marked = staff.browser.post(form.action, data={**form.fields, "attended": "yes"})
    assert marked.status_code == 303
    after = Page(staff.browser.get(f"/events/{event['id']}/participants?lang=ru").text)
    assert [cell.text for cell in after.find_all(class_="attended")] == ["да", "—"]
    assert len(after.flashes) == 1
    outsider = factory.actor(browser=True)
    assert outsider.browser.get(f"/events/{event['id']}/participants").status_code == 403


def test_menu_and_workspace_show_events_to_whom_they_concern(factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    event = make_event(staff.api, title="Networking evening", hours=30)
    member = factory.actor(browser=True)
    make_member(factory.database, factory.organisation(member.user))
    member.api.post(f"/api/v1/events/{event['id']}/registrations")

    home = Page(member.browser.get("/?lang=en").text)
    hrefs = [link.href for link in home.links()]
    assert "/events" in hrefs and "/events/manage" not in hrefs
    assert "Your upcoming events" in home.text

    staff_home = Page(staff.browser.get("/?lang=en").text)
    staff_links = [link.href for link in staff_home.links()]
    assert "/events/manage" in staff_links
    assert "Events ahead" in staff_home.text
    manage = Page(staff.browser.get("/events/manage?lang=en").text)
    assert "Networking evening" in manage.text and "1 / 5" in manage.text
    for href in staff_links:
        if href.startswith("/events"):
            assert staff.browser.get(href).status_code == 200, href
