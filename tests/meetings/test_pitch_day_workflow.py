"""Pitch days in the browser, over HTTP: staff create and edit a day, members and verified
investors register and order their wishes while registration is open, staff schedule, lock,
unlock and publish, and participants find their meetings in "My meetings" and the calendar feed.
Each step asserts the rows it leaves, and each refusal that it left none."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select, update

from app.accounts.models import Role
from app.meetings.models import PitchDay, PitchMeeting, PitchParticipant, PitchWish
from app.web import FLASH_COOKIE, _read_flashes
from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.html import Page, csrf_from
from tests.meetings.helpers import in_days, investor, member


def texts(html: str, tag: str, within: str | None = None) -> list[str]:
    return Page(html).texts(tag, within=within)


def _post(actor: Actor, path: str, data: dict[str, Any] | None = None) -> Any:
    assert actor.browser is not None
    token = csrf_from(actor.browser.get("/pitch-days").text)
    return actor.browser.post(path, data={"csrf_token": token, **(data or {})})


def _flash(response: Any) -> tuple[str, str]:
    """(category, message) of the one flash a redirect carries."""
    assert response.status_code == 303, response.text
    (item,) = _read_flashes(response.cookies.get(FLASH_COOKIE))
    return item["category"], item["message"]


def _errors(html: str, field: str) -> list[str]:
    """The error messages shown under a form field."""
    return re.findall(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)


def _page(actor: Actor, path: str) -> str:
    assert actor.browser is not None
    response = actor.browser.get(path)
    assert response.status_code == 200, response.text
    return response.text


FORM = {
    "name": "Осенний день питчей",
    "venue": "Технопарк, зал 2",
    "timezone": "Asia/Novosibirsk",
    "first_slot": "10:00",
    "slot_count": "3",
    "slot_minutes": "20",
    "break_minutes": "10",
    "tables": "2",
}


def _create(staff: Actor, **changes: str) -> PitchDay | Any:
    form = {**FORM, "date": in_days(7), **changes}
    response = _post(staff, "/pitch-days/new", form)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[-1])


def _day(factory: Factory, pitch_day_id: int) -> PitchDay:
    with factory.database.session_scope(write=False) as session:
        day = session.get(PitchDay, pitch_day_id)
        assert day is not None
        session.expunge(day)
        return day


def _rows(factory: Factory, model: type[Any], **where: Any) -> list[Any]:
    with factory.database.session_scope(write=False) as session:
        statement = select(model).filter_by(**where).order_by(model.id)
        rows = list(session.scalars(statement))
        for row in rows:
            session.expunge(row)
        return rows


# --- the list and the staff's form ------------------------------------------------------------


def test_the_list_shows_an_empty_state_then_days_by_stage(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    person, _org = member(factory, browser=True)
    assert "No pitch days are planned yet." in _page(person, "/pitch-days?lang=en")
    assert "/pitch-days/new" not in _page(person, "/pitch-days?lang=en")
    assert "/pitch-days/new" in _page(staff, "/pitch-days?lang=en")

    open_day = _create(staff, name="Open day")
    closing = _create(staff, name="Closed day", registration_closes_at=_local(minutes=1))
    published = _create(staff, name="Published day")
    with factory.database.session_scope() as session:
        session.execute(
            update(PitchDay)
            .where(PitchDay.id == closing)
            .values(registration_closes_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        session.execute(
            update(PitchDay).where(PitchDay.id == published).values(published_at=datetime.now(UTC))
        )
    page = _page(person, "/pitch-days?lang=en")
    headings = texts(page, "h2")
    assert headings == ["Registration open", "In preparation", "Published"]
    # the names are the Russian originals, marked as such for an English reader
    assert texts(page, "a", f"pitch-day-{open_day}") == ["Open day (in Russian)"]
    assert page.index("Open day") < page.index("Closed day") < page.index("Published day")
    assert "Дни питчей пока не запланированы." not in _page(person, "/pitch-days?lang=ru")


def _local(minutes: int) -> str:
    """A moment `minutes` from now in the form's time zone, as a datetime-local field has it."""
    moment = datetime.now(ZoneInfo(FORM["timezone"])) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_staff_create_a_day_from_the_form(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    date = in_days(7)
    pitch_day_id = _create(staff, date=date, registration_closes_at=f"{in_days(5)}T18:00")
    day = _day(factory, pitch_day_id)
    assert (day.name, day.venue, day.timezone) == (
        "Осенний день питчей",
        "Технопарк, зал 2",
        "Asia/Novosibirsk",
    )
    assert day.date.isoformat() == date
    assert (day.slot_starts, day.slot_minutes, day.tables) == (["10:00", "10:30", "11:00"], 20, 2)
    # 18:00 in Novosibirsk (UTC+7) is 11:00 UTC.
    assert day.registration_closes_at == datetime.fromisoformat(f"{in_days(5)}T11:00+00:00")
    page = _page(staff, f"/pitch-days/{pitch_day_id}?lang=en")
    assert "Осенний день питчей (in Russian)" in texts(page, "h1")
    # The staff member keeps Moscow time: 10:00 in Novosibirsk is 6:00 in Moscow.
    assert "6:00\u202fAM–7:20\u202fAM\xa0MSK" in page and "Технопарк, зал 2" in page


def test_a_refused_form_keeps_what_was_typed_and_names_every_error(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    bad = {**FORM, "date": in_days(7), "name": "", "slot_minutes": "2"}
    response = _post(staff, "/pitch-days/new?lang=en", bad)
    assert response.status_code == 422
    assert _errors(response.text, "name") == ["This field is required."]
    assert _errors(response.text, "slot_minutes") == ["This value is too small."]
    assert 'value="Технопарк, зал 2"' in response.text
    late = {**FORM, "date": in_days(7), "registration_closes_at": f"{in_days(8)}T10:00"}
    response = _post(staff, "/pitch-days/new?lang=en", late)
    assert response.status_code == 422
    assert _errors(response.text, "registration_closes_at") == [
        "Registration must close before the first slot begins."
    ]
    midnight = {**FORM, "date": in_days(7), "first_slot": "23:00"}
    response = _post(staff, "/pitch-days/new?lang=en", midnight)
    assert _errors(response.text, "slot_count") == ["The last slot must end by midnight."]
    zone = {**FORM, "date": in_days(7), "timezone": "Mars/Olympus"}
    assert "Unknown time zone." in _post(staff, "/pitch-days/new?lang=en", zone).text
    assert _rows(factory, PitchDay) == []

    person, _org = member(factory, browser=True)
    assert _post(person, "/pitch-days/new", {**FORM, "date": in_days(7)}).status_code == 403
    assert _rows(factory, PitchDay) == []


def test_editing_the_grid_clears_the_schedule_and_after_publication_is_refused(
    factory: Factory,
) -> None:
    staff, pitch_day_id, (a, a_org), (_inv, inv_org) = _two_registered(factory)
    _wish(a, pitch_day_id, a_org.id, inv_org.id)
    _post(staff, f"/pitch-days/{pitch_day_id}/schedule")
    assert len(_rows(factory, PitchMeeting, pitch_day_id=pitch_day_id)) == 1
    form = _edit_form(staff, pitch_day_id)

    renamed = _post(staff, f"/pitch-days/{pitch_day_id}/edit", {**form, "name": "Новое имя"})
    assert renamed.status_code == 303
    assert _day(factory, pitch_day_id).name == "Новое имя"
    assert len(_rows(factory, PitchMeeting, pitch_day_id=pitch_day_id)) == 1

    fewer = {**form, "slot_count": "2"}
    assert _post(staff, f"/pitch-days/{pitch_day_id}/edit", fewer).status_code == 303
    day = _day(factory, pitch_day_id)
    assert day.slot_starts == ["10:00", "10:30"] and day.schedule_report is None
    assert _rows(factory, PitchMeeting, pitch_day_id=pitch_day_id) == []
    slots = {p.organisation_id: p.slots for p in _rows(factory, PitchParticipant)}
    assert slots == {a_org.id: [0, 1], inv_org.id: [1]}  # the investor had chosen slots 1 and 2

    _post(staff, f"/pitch-days/{pitch_day_id}/publish")
    form = _edit_form(staff, pitch_day_id)
    assert "first_slot" not in form  # a published day's form has no grid fields
    moved = _post(staff, f"/pitch-days/{pitch_day_id}/edit", {**form, "tables": "5"})
    assert moved.status_code == 303 and _day(factory, pitch_day_id).tables == 2
    refused = _post(
        staff, f"/pitch-days/{pitch_day_id}/edit", {**form, "venue": "Другой зал", "date": "x"}
    )
    assert refused.status_code == 303 and _day(factory, pitch_day_id).venue == "Другой зал"

    assert _post(a, f"/pitch-days/{pitch_day_id}/edit", form).status_code == 403


def _edit_form(staff: Actor, pitch_day_id: int) -> dict[str, str]:
    """The fields of the edit form, as the browser would send them back."""
    page = _page(staff, f"/pitch-days/{pitch_day_id}/edit")
    fields = Page(page).form(f"/pitch-days/{pitch_day_id}/edit").fields
    return {name: value for name, value in fields.items() if name != "csrf_token"}


# --- registration and wishes ------------------------------------------------------------------


def _two_registered(factory: Factory) -> tuple[Actor, int, tuple[Actor, Any], tuple[Actor, Any]]:
    """A day with a member registered for every slot and an investor for the last two."""
    staff = factory.actor(Role.staff, browser=True)
    pitch_day_id = _create(staff)
    a, a_org = member(factory, browser=True)
    inv, inv_org = investor(factory, browser=True)
    assert _flash(_register(a, pitch_day_id, a_org.id, [0, 1, 2]))[0] == "success"
    assert _flash(_register(inv, pitch_day_id, inv_org.id, [1, 2]))[0] == "success"
    return staff, pitch_day_id, (a, a_org), (inv, inv_org)


def _register(actor: Actor, pitch_day_id: int, organisation_id: int, slots: list[int]) -> Any:
    return _post(
        actor,
        f"/pitch-days/{pitch_day_id}/participants",
        {"organisation_id": str(organisation_id), "slots": [str(s) for s in slots]},
    )


def _wish(actor: Actor, pitch_day_id: int, organisation_id: int, other_id: int) -> Any:
    return _post(
        actor,
        f"/pitch-days/{pitch_day_id}/wishes",
        {"organisation_id": str(organisation_id), "with_organisation_id": str(other_id)},
    )


def test_members_and_verified_investors_register_themselves_while_registration_is_open(
    factory: Factory,
) -> None:
    staff, pitch_day_id, (_a, a_org), (_inv, inv_org) = _two_registered(factory)
    rows = {p.organisation_id: p.slots for p in _rows(factory, PitchParticipant)}
    assert rows == {a_org.id: [0, 1, 2], inv_org.id: [1, 2]}

    outsider = factory.actor(browser=True)
    outsider_org = factory.organisation(outsider.user)
    page = _page(outsider, f"/pitch-days/{pitch_day_id}?lang=en")
    assert "Your organisations cannot take part yet." in page
    assert f'action="/pitch-days/{pitch_day_id}/participants"' not in page
    refused = _register(outsider, pitch_day_id, outsider_org.id, [0])
    assert _flash(refused) == (
        "error",
        "Участвуют только организации — члены кластера и подтверждённые инвесторы.",
    )
    stranger = _register(outsider, pitch_day_id, a_org.id, [0])
    assert _flash(stranger)[0] == "error"

    late, late_org = member(factory, browser=True)
    nothing = _register(late, pitch_day_id, late_org.id, [])
    assert nothing.status_code == 422
    assert "Выберите хотя бы один слот." in _errors(nothing.text, "slots")
    assert 'id="slot-0" name="slots" value="0">' in nothing.text  # left unticked
    with factory.database.session_scope() as session:
        session.execute(
            update(PitchDay)
            .where(PitchDay.id == pitch_day_id)
            .values(registration_closes_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    closed = _register(late, pitch_day_id, late_org.id, [0])
    assert _flash(closed) == ("error", "Регистрация на этот день питчей закрыта.")
    assert "Registration is closed." in _page(late, f"/pitch-days/{pitch_day_id}?lang=en")
    assert len(_rows(factory, PitchParticipant)) == 2
    api = late.api.post(
        f"/api/v1/pitch-days/{pitch_day_id}/participants", json={"organisation_id": late_org.id}
    )
    assert api.status_code == 409
    assert staff is not None


def test_each_participant_orders_its_wishes_and_the_order_is_the_weight(factory: Factory) -> None:
    staff, pitch_day_id, (a, a_org), (_inv, inv_org) = _two_registered(factory)
    b, b_org = member(factory, browser=True)
    c, c_org = member(factory, browser=True)
    for actor, org in ((b, b_org), (c, c_org)):
        _register(actor, pitch_day_id, org.id, [0, 1, 2])
    for other in (inv_org, b_org, c_org):
        assert _flash(_wish(a, pitch_day_id, a_org.id, other.id))[0] == "success"

    def order() -> list[tuple[int, int | None, int]]:
        wishes = _rows(factory, PitchWish, organisation_id=a_org.id)
        return sorted((w.rank, w.with_organisation_id, w.priority) for w in wishes)  # type: ignore[misc]

    assert order() == [(0, inv_org.id, 10), (1, b_org.id, 9), (2, c_org.id, 8)]
    last = next(w for w in _rows(factory, PitchWish) if w.with_organisation_id == c_org.id)
    up = _post(a, f"/pitch-days/{pitch_day_id}/wishes/{last.id}/move", {"direction": "up"})
    assert _flash(up) == ("success", "Порядок сохранён.")
    assert order() == [(0, inv_org.id, 10), (1, c_org.id, 9), (2, b_org.id, 8)]
    page = Page(_page(a, f"/pitch-days/{pitch_day_id}?lang=en"))
    listed = [span.text for span in page.within("wishes").find_all("span", class_="wish-name")]
    names = [t.split(" (")[0] for t in listed]
    assert names == [inv_org.name, c_org.name, b_org.name]

    # Someone else's wish does not exist for a stranger; nothing moves.
    assert _flash(_post(b, f"/pitch-days/{pitch_day_id}/wishes/{last.id}/remove"))[0] == "error"
    assert len(_rows(factory, PitchWish, organisation_id=a_org.id)) == 3
    first = next(w for w in _rows(factory, PitchWish) if w.with_organisation_id == inv_org.id)
    assert _flash(_post(a, f"/pitch-days/{pitch_day_id}/wishes/{first.id}/remove"))[0] == "success"
    assert order() == [(0, c_org.id, 10), (1, b_org.id, 9)]
    # The same organisation cannot be wished twice, nor oneself.
    _wish(a, pitch_day_id, a_org.id, c_org.id)
    assert _flash(_wish(a, pitch_day_id, a_org.id, a_org.id))[0] == "error"
    assert len(_rows(factory, PitchWish, organisation_id=a_org.id)) == 2

    _post(staff, f"/pitch-days/{pitch_day_id}/publish")
    closed = _wish(a, pitch_day_id, a_org.id, inv_org.id)
    assert _flash(closed) == ("error", "Регистрация на этот день питчей закрыта.")
    assert f"/wishes/{last.id}/move" not in _page(a, f"/pitch-days/{pitch_day_id}")
    api = a.api.post(
        f"/api/v1/pitch-days/{pitch_day_id}/wishes", json={"with_organisation_id": inv_org.id}
    )
    assert api.status_code == 409


def test_withdrawing_takes_the_wishes_on_both_sides_and_the_placed_meetings(
    factory: Factory,
) -> None:
    staff, pitch_day_id, (a, a_org), (inv, inv_org) = _two_registered(factory)
    _wish(a, pitch_day_id, a_org.id, inv_org.id)
    _wish(inv, pitch_day_id, inv_org.id, a_org.id)
    _post(staff, f"/pitch-days/{pitch_day_id}/schedule")
    assert len(_rows(factory, PitchMeeting)) == 1
    path = f"/pitch-days/{pitch_day_id}/participants/{inv_org.id}/withdraw"
    assert 'data-confirm="' in _page(inv, f"/pitch-days/{pitch_day_id}")
    assert _flash(_post(a, path))[0] == "error"  # not a's organisation
    assert len(_rows(factory, PitchParticipant)) == 2
    assert _flash(_post(inv, path)) == ("success", "Регистрация отменена.")
    assert [p.organisation_id for p in _rows(factory, PitchParticipant)] == [a_org.id]
    assert _rows(factory, PitchWish) == [] and _rows(factory, PitchMeeting) == []


# --- the schedule -----------------------------------------------------------------------------


def test_staff_see_the_grid_the_bound_and_why_a_wish_was_not_placed(factory: Factory) -> None:
    staff, pitch_day_id, (a, a_org), (_inv, inv_org) = _two_registered(factory)
    early, early_org = member(factory, browser=True)
    _register(early, pitch_day_id, early_org.id, [0])  # the investor is free in slots 1 and 2
    _wish(a, pitch_day_id, a_org.id, inv_org.id)
    _wish(early, pitch_day_id, early_org.id, inv_org.id)
    scheduled = _post(staff, f"/pitch-days/{pitch_day_id}/schedule?lang=en")
    assert _flash(scheduled) == ("success", "Placed 1 of at most 1 meetings.")
    report = _day(factory, pitch_day_id).schedule_report
    assert report is not None and (report["placed"], report["upper_bound"]) == (1, 1)

    page = _page(staff, f"/pitch-days/{pitch_day_id}?lang=en")
    assert texts(page, "dd", "report")[1:] == ["1", "1"]
    assert texts(page, "td", "unplaced") == [
        f"{early_org.name} — {inv_org.name}"
        if early_org.id < inv_org.id
        else f"{inv_org.name} — {early_org.name}",
        "10",
        "The two have no free slot in common.",
    ]
    (meeting,) = _rows(factory, PitchMeeting)
    cells = texts(page, "td")
    assert any(a_org.name in cell and inv_org.name in cell for cell in cells)
    assert "Lock the meeting of" in page

    # Participants see nothing of it before publication; strangers never may run it.
    assert "Slots and tables" not in texts(_page(a, f"/pitch-days/{pitch_day_id}?lang=en"), "h2")
    assert _post(a, f"/pitch-days/{pitch_day_id}/schedule").status_code == 403
    assert _post(a, f"/pitch-days/{pitch_day_id}/meetings/{meeting.id}/lock").status_code == 403


def test_staff_lock_single_meetings_and_unlock_all_after_confirming(factory: Factory) -> None:
    staff, pitch_day_id, (a, a_org), (_inv, inv_org) = _two_registered(factory)
    b, b_org = member(factory, browser=True)
    _register(b, pitch_day_id, b_org.id, [1, 2])
    _wish(a, pitch_day_id, a_org.id, inv_org.id)
    _wish(b, pitch_day_id, b_org.id, inv_org.id)
    _post(staff, f"/pitch-days/{pitch_day_id}/schedule")
    first, second = _rows(factory, PitchMeeting)
    lock = f"/pitch-days/{pitch_day_id}/meetings/{first.id}/lock"
    assert _flash(_post(staff, lock, {"locked": "true"}))[0] == "success"
    assert [m.locked for m in _rows(factory, PitchMeeting)] == [True, False]

    # A new run keeps the locked meeting where it is.
    _post(staff, f"/pitch-days/{pitch_day_id}/schedule")
    kept = [m for m in _rows(factory, PitchMeeting) if m.locked]
    assert [(m.id, m.slot, m.table_number) for m in kept] == [
        (first.id, first.slot, first.table_number)
    ]
    page = _page(staff, f"/pitch-days/{pitch_day_id}?lang=en")
    assert "Unlock all 1 locked meetings? The next run of the scheduler may move them." in page
    assert _flash(_post(staff, f"/pitch-days/{pitch_day_id}/unlock-all"))[0] == "success"
    assert not any(m.locked for m in _rows(factory, PitchMeeting))
    missing = _post(staff, f"/pitch-days/{pitch_day_id}/meetings/999999/lock", {"locked": "1"})
    assert _flash(missing)[0] == "error"
    assert second.id


# --- publication and the participants' agenda -------------------------------------------------


def test_after_publication_participants_find_their_meetings_in_my_meetings_and_the_feed(
    factory: Factory,
) -> None:
    staff, pitch_day_id, (a, a_org), (inv, inv_org) = _two_registered(factory)
    _wish(a, pitch_day_id, a_org.id, inv_org.id)
    _post(staff, f"/pitch-days/{pitch_day_id}/schedule")
    assert "No pitch-day meetings ahead." in _page(a, "/meetings?lang=en")
    staff_page = _page(staff, f"/pitch-days/{pitch_day_id}?lang=en")
    assert (
        'data-confirm="Publish the schedule? Registration closes and every participant is told '
        'about their meetings."' in staff_page
    )
    assert _flash(_post(staff, f"/pitch-days/{pitch_day_id}/publish"))[0] == "success"
    assert "Publish the changes" in _page(staff, f"/pitch-days/{pitch_day_id}?lang=en")

    (meeting,) = _rows(factory, PitchMeeting)
    day = _day(factory, pitch_day_id)
    starts = datetime.combine(
        day.date, datetime.strptime(day.slot_starts[meeting.slot], "%H:%M").time()
    ).replace(tzinfo=ZoneInfo("Asia/Novosibirsk"))
    for actor, other in ((a, inv_org), (inv, a_org)):
        mine = a_org if actor is a else inv_org
        rows = texts(_page(actor, "/meetings?lang=en"), "td", "pitch-meetings")
        assert rows[1:4] == [str(meeting.table_number), other.name, mine.name]
        assert "Осенний день питчей" in rows[4] and "Технопарк, зал 2" in rows[4]
        (event,) = _feed_events(factory, actor)
        assert event.decoded("dtstart") == starts
        assert event.decoded("dtend") == starts + timedelta(minutes=20)
        assert str(event["uid"]).startswith(
            f"pitch-day-{pitch_day_id}-{min(a_org.id, inv_org.id)}-{max(a_org.id, inv_org.id)}@"
        )
        assert str(event["location"]) == f"Технопарк, зал 2, Стол {meeting.table_number}"
    assert _feed_events(factory, factory.actor()) == []
    agenda = _page(a, f"/pitch-days/{pitch_day_id}/agenda/{a_org.id}")
    assert texts(agenda, "td", "agenda")[2] == inv_org.name
    # The registration is closed for good: no form, no withdrawal; locks are the staff's.
    _post(staff, f"/pitch-days/{pitch_day_id}/meetings/{meeting.id}/lock", {"locked": "true"})
    page = _page(a, f"/pitch-days/{pitch_day_id}?lang=en")
    assert "/withdraw" not in page and "Cancel the registration" not in page
    assert inv_org.name in " ".join(texts(page, "td")) and "Locked" not in page
    assert "/lock" not in page and "Locked" in _page(staff, f"/pitch-days/{pitch_day_id}?lang=en")


def _feed_events(factory: Factory, actor: Actor) -> list[Any]:
    url = actor.api.post("/api/v1/me/calendar-feed").json()["url"]
    response = TestClient(factory.app).get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]
