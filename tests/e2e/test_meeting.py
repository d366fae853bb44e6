"""The meeting journey in a real browser, once in Russian and once in English.

A member holding the investor-readiness certificate asks the investor for a meeting from the
investors' page (message, proposed time, pitch deck) → the investor accepts it in the inbox with
a video link → the member opens the meeting page: the time, the link, the investor and the
request's message → the investor moves the meeting to another slot → once the meeting has taken
place, the member leaves feedback on the page. The email of the accepted meeting carries an
invitation that calendars read.

Membership and the certificate are the member journey's subject (test_journey.py), so they are
set up through the JSON API here. No page or service puts a meeting in the past, so the test
moves it there in the server's database, as the passing of time would.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import (
    Actor,
    Portal,
    approved_member,
    assert_no_sideways_scroll,
    tiny_pdf,
    tr,
    verified_fund,
)

# Each language books its own early morning tomorrow, so the two runs never compete for a slot
# and their slots come before the member journey's (from 07:00): the investors page offers the
# next eight free slots only.
MORNING_HOUR = {"ru": 3, "en": 5}
VIDEO_URL = "https://meet.example.org/e2e-meeting"


@pytest.fixture(scope="module")
def investor(portal: Portal, browser: Browser) -> Iterator[Actor]:
    actor = Actor(portal, browser, "investor", "ru", "ru-RU")
    actor.login("investor")
    yield actor
    actor.close()


def _morning(lang: str) -> datetime:
    day = datetime.now(UTC) + timedelta(days=1)
    return day.replace(hour=MORNING_HOUR[lang], minute=0, second=0, microsecond=0)


def _publish_morning(portal: Portal, lang: str) -> datetime:
    """Two hours of the investor's time in 30-minute slots (no page for it in this journey)."""
    start = _morning(lang)
    portal.api.call(
        "POST",
        "/api/v1/investors/me/availability",
        portal.email("investor"),
        expect=201,
        json={
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "slot_minutes": 30,
        },
    )
    return start


def _certify(portal: Portal, member_key: str) -> None:
    """The investor-readiness certificate: a flagged course, a session that has begun, the
    member's attendance marked by staff."""
    api, staff, email = portal.api, portal.email("staff"), portal.email(member_key)
    course = api.call(
        "POST",
        "/api/v1/courses",
        staff,
        expect=201,
        json={"title": f"Investor readiness ({member_key})", "investor_readiness": True},
    )
    starts_at = datetime.now(UTC) + timedelta(seconds=2)
    session = api.call(
        "POST",
        f"/api/v1/courses/{course['id']}/sessions",
        staff,
        expect=201,
        json={
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
            "capacity": 5,
            "location": "Technopark, room 204",
        },
    )
    api.call("POST", f"/api/v1/sessions/{session['id']}/enrolments", email, expect=201)
    me = api.call("GET", "/api/v1/me", email)
    time.sleep(max(0.0, (starts_at - datetime.now(UTC)).total_seconds() + 0.3))
    marked = api.call(
        "POST",
        f"/api/v1/sessions/{session['id']}/attendance",
        staff,
        json={"user_id": me["id"], "attended": True},
    )
    assert marked["certificate"], marked


def _database(portal: Portal) -> sqlite3.Connection:
    assert portal.database is not None
    return sqlite3.connect(portal.database)


def _stored(moment: datetime) -> str:
    """A time as SQLAlchemy keeps it in SQLite: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _click(actor: Actor, locator: object) -> None:
    with actor.page.expect_navigation():
        locator.click()  # type: ignore[attr-defined]
    actor.check()


def _shown_start(page: Page) -> datetime:
    return datetime.fromisoformat(str(page.locator("time.meeting-time").get_attribute("datetime")))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_meeting_journey(lang: str, portal: Portal, browser: Browser, investor: Actor) -> None:
    _fund_id, fund_name = verified_fund(portal)
    morning = _publish_morning(portal, lang)
    company = {"ru": "ООО «Гидромонитор»", "en": "Hydro Monitor LLC"}[lang]
    member_key = f"meeting-member-{lang}"
    approved_member(portal, member_key, "Лев Заявитель", company, lang)
    _certify(portal, member_key)
    investor_name = portal.users["investor"][1]
    message = {
        "ru": "Хотим показать пилот мониторинга водоёмов и обсудить посевной раунд.",
        "en": "We would like to show our reservoir-monitoring pilot and discuss a seed round.",
    }[lang]

    # --- The member asks for a meeting: message, the first slot of the morning, the deck ------
    member = Actor(portal, browser, member_key, lang, {"ru": "ru-RU", "en": "en-US"}[lang])
    member.login(member_key)
    page = member.page
    member.open("/investors")
    card = page.locator("li.card", has_text=fund_name)
    expect(card.locator("time").first).to_be_visible()
    card.get_by_label(tr(lang, "Message to the investor")).fill(message)
    card.locator("select[name='starts_at']").select_option(morning.isoformat())
    card.locator("input[name='deck']").set_input_files(
        {"name": "pitch.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Pitch")}
    )
    member.shot("mt-01-request")
    _click(member, card.locator("button[type='submit']"))
    member.expect_flash("Your request was sent.")
    expect(page.locator("main")).to_contain_text("pitch.pdf")

    # --- The investor accepts in the inbox with a video link ----------------------------------
    person = investor.speak(lang)
    person.open("/investor-inbox")
    request_card = person.page.locator("section.card", has_text=company)
    expect(request_card).to_contain_text(message)
    expect(request_card.locator("select[name='starts_at']")).to_have_value(morning.isoformat())
    request_card.locator("input[name='video_url']").fill(VIDEO_URL)
    person.shot("mt-02-inbox")
    _click(person, request_card.locator("form[action$='/accept'] button[type='submit']"))
    person.expect_flash("The meeting is scheduled.")

    # --- The member finds the meeting and opens its page --------------------------------------
    member.open("/meetings")
    row = page.locator("main table").first.locator("tbody tr", has_text=investor_name)
    expect(row).to_have_count(1)
    _click(member, row.locator("a[href^='/meetings/']").first)
    meeting_id = int(re.search(r"/meetings/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    meeting_url = f"/meetings/{meeting_id}"
    details = page.locator(".meeting-details")
    assert _shown_start(page) == morning
    expect(details.locator("a.video-link")).to_have_attribute("href", VIDEO_URL)
    expect(details).to_contain_text(investor_name)
    expect(details).to_contain_text(fund_name)
    expect(page.locator(".request-message")).to_contain_text(message)
    expect(page.locator("main")).to_contain_text("pitch.pdf")
    expect(page.locator(".status")).to_have_text(tr(lang, "Scheduled"))
    # Only the investor (or staff) moves a meeting; the member may cancel it.
    expect(page.locator("#reschedule")).to_have_count(0)
    expect(page.locator("#cancel")).to_be_visible()
    member.shot("mt-03-meeting")
    page.set_viewport_size({"width": 390, "height": 844})
    member.open(meeting_url)
    assert_no_sideways_scroll(page)
    member.shot("mt-03-meeting-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    with _database(portal) as db:
        request_id, key = db.execute(
            "SELECT request_id, uid FROM meetings WHERE id = ?", (meeting_id,)
        ).fetchone()
        (content_type, invitation) = db.execute(
            "SELECT attachment_content_type, attachment_text FROM outbox "
            "WHERE idempotency_key LIKE ? AND to_email = ?",
            (f"meetings.request.{request_id}.accepted%", portal.email(member_key)),
        ).fetchone()
    assert content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(invitation)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == key and event.decoded("DTSTART") == morning

    # --- The investor moves it half an hour later ---------------------------------------------
    later = morning + timedelta(minutes=30)
    person.open(meeting_url)
    person.page.locator("#reschedule select[name='starts_at']").select_option(later.isoformat())
    person.shot("mt-04-reschedule")
    _click(person, person.page.locator("#reschedule button[type='submit']"))
    person.expect_flash("The meeting is moved; both sides were sent the new time.")
    assert _shown_start(person.page) == later
    member.open(meeting_url)
    assert _shown_start(page) == later
    expect(page.locator("#feedback")).to_have_count(0)  # not before it took place

    # --- The meeting takes place; the member leaves feedback --------------------------------
    past = datetime.now(UTC) - timedelta(hours=2)
    with _database(portal) as db:
        db.execute(
            "UPDATE meetings SET starts_at = ?, ends_at = ? WHERE id = ?",
            (_stored(past), _stored(past + timedelta(minutes=30)), meeting_id),
        )
    member.open(meeting_url)
    feedback = page.locator("#feedback")
    feedback.locator("select[name='rating']").select_option("5")
    feedback.get_by_label(tr(lang, "Outcome"), exact=True).select_option("follow_up")
    note = {"ru": "Договорились о второй встрече.", "en": "We agreed on a second meeting."}[lang]
    feedback.get_by_label(tr(lang, "Note"), exact=True).fill(note)
    member.shot("mt-05-feedback-form")
    _click(member, feedback.locator("button[type='submit']"))
    member.expect_flash("Thank you: your feedback is recorded.")
    expect(page.locator(".status")).to_have_text(tr(lang, "Completed"))
    expect(page.locator(".feedback-list")).to_contain_text(note)
    expect(page.locator("#feedback")).to_have_count(0)  # once each
    member.shot("mt-06-feedback-given")

    # The investor still owes theirs, and the page offers it.
    person.open(meeting_url)
    expect(person.page.locator("#feedback")).to_be_visible()
    expect(person.page.locator(".feedback-list")).to_contain_text(note)
    member.close()
