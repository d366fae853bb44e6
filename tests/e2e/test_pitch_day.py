"""The pitch-day journey in a real browser, once in Russian and once in English.

staff create a day (a refused form keeps what was typed) and edit it → a member and the investor
register themselves → each states whom it wants to meet, the member ordering its list → staff run
the scheduler and read its bound → lock a meeting, run again, unlock all, lock again → publish →
each side finds the meeting in "My meetings", in its agenda and in its calendar feed.

Everything the participants and staff do goes through the pages. What makes someone a member
(an application approved by the committee) and a verified investor organisation is the member
journey's subject (test_journey.py), so here it is set up through the JSON API with bearer
tokens, and so is a second member, registered by staff, whom the first one can put on its list.
The investor reuses the verified investor organisation of the member journey when it has run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, expect

from tests.e2e.helpers import (
    Actor,
    Portal,
    approved_member,
    assert_no_sideways_scroll,
    tr,
    verified_fund,
)


@pytest.fixture(scope="module")
def operators(portal: Portal, browser: Browser) -> Iterator[dict[str, Actor]]:
    actors = {key: Actor(portal, browser, key, "ru", "ru-RU") for key in ("staff", "investor")}
    for key, actor in actors.items():
        actor.login(key)
    yield actors
    for actor in actors.values():
        actor.close()


@pytest.fixture(scope="module")
def fund(portal: Portal) -> tuple[int, str]:
    return verified_fund(portal)


def _day_after(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)


def _click(actor: Actor, locator: Any) -> None:
    """Press a button and wait for the page it leads to (a confirm dialog is accepted)."""
    with actor.page.expect_navigation():
        locator.click()
    actor.check()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pitch_day_journey(
    lang: str,
    portal: Portal,
    browser: Browser,
    operators: dict[str, Actor],
    fund: tuple[int, str],
) -> None:
    docs = lang == "en"
    fund_id, fund_name = fund
    company = {"ru": "ООО «Аэросъёмка-Сибирь»", "en": "Aerial Survey Siberia LLC"}[lang]
    other = {"ru": "ООО «Роботы Урала»", "en": "Ural Robotics LLC"}[lang]
    member_key = f"pitch-member-{lang}"
    member_org = approved_member(portal, member_key, "Марина Участница", company, lang)
    other_org = approved_member(portal, f"pitch-other-{lang}", "Олег Второй", other, lang)
    day_name = {"ru": "Зимний день питчей", "en": "Winter pitch day"}[lang]
    date = _day_after(9)

    # --- Staff create the day: a refused form first keeps what was typed ------------------------
    staff = operators["staff"].speak(lang)
    staff.open("/pitch-days")
    staff.shot("pd-01-list")
    _click(staff, staff.page.locator("main a[href='/pitch-days/new']").first)
    page = staff.page
    page.fill("#field-name", day_name)
    page.fill("#field-venue", "Технопарк, конференц-зал 2")
    page.fill("#field-date", date.date().isoformat())
    page.fill("#field-first_slot", "10:00")
    page.fill("#field-slot_count", "4")
    page.fill("#field-slot_minutes", "20")
    page.fill("#field-break_minutes", "10")
    page.fill("#field-tables", "3")
    deadline = "#field-registration_closes_at"
    page.fill(deadline, (date + timedelta(days=1)).strftime("%Y-%m-%dT18:00"))  # too late
    staff.submit("form.pitch-day-form")
    expect(page.locator("#registration_closes_at-error")).to_have_text(
        tr(lang, "Registration must close before the first slot begins.")
    )
    expect(page.locator("#field-venue")).to_have_value("Технопарк, конференц-зал 2")
    expect(page.locator("#field-tables")).to_have_value("3")
    staff.shot("pd-02-form-refused")
    page.fill(deadline, (date - timedelta(days=2)).strftime("%Y-%m-%dT18:00"))
    staff.submit("form.pitch-day-form")
    staff.expect_flash("The pitch day is saved.")
    pitch_day_id = int(re.search(r"/pitch-days/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    day_url = f"/pitch-days/{pitch_day_id}"

    _click(staff, page.locator(f"a[href='{day_url}/edit']"))
    page.fill("#field-venue", "Технопарк, зал «Сибирь»")
    staff.submit("form.pitch-day-form")
    staff.expect_flash("The pitch day is saved.")
    expect(page.locator("main dl").first).to_contain_text("Технопарк, зал «Сибирь»")
    expect(page.locator("main")).to_contain_text(tr(lang, "Nobody has registered yet."))

    # --- The member and the investor register themselves -----------------------------------------
    member = Actor(portal, browser, member_key, lang, {"ru": "ru-RU", "en": "en-US"}[lang])
    member.login(member_key)
    member.open("/pitch-days")
    _click(member, member.page.locator(f"a[href='{day_url}']"))
    expect(member.page.locator(".register-form")).to_contain_text(company)
    member.shot("pd-03-register")
    member.submit(".register-form")
    member.expect_flash("The organisation is registered. Now choose whom it wants to meet.")

    investor = operators["investor"].speak(lang)
    investor.open(day_url)
    investor.page.locator("#slot-0").uncheck()  # the investor comes from the second slot on
    investor.submit(".register-form")
    investor.expect_flash("The organisation is registered. Now choose whom it wants to meet.")
    # The second member is registered by staff (a call the page does not offer staff).
    portal.api.call(
        "POST",
        f"/api/v1/pitch-days/{pitch_day_id}/participants",
        portal.email("staff"),
        expect=201,
        json={"organisation_id": other_org},
    )

    # --- Wishes: the member lists both, then puts the investor first ----------------------------
    mpage = member.page
    for target in (other_org, fund_id):
        member.open(day_url)
        mpage.locator(f"#wish-{member_org}").select_option(str(target))
        member.submit(f"form.add-wish:has(#wish-{member_org})")
        member.expect_flash("The wish is added to the end of your list.")
    wishes = mpage.locator(".wish-list .wish-name")
    expect(wishes).to_have_count(2)
    expect(wishes.nth(0)).to_contain_text(other)
    _click(member, mpage.get_by_role("button", name=tr(lang, "Move %(name)s up", name=fund_name)))
    member.expect_flash("The order is saved.")
    expect(wishes.nth(0)).to_contain_text(fund_name)
    expect(wishes.nth(1)).to_contain_text(other)
    member.shot("pd-04-wishes", "pitch-day-wishes" if docs else None)
    mpage.set_viewport_size({"width": 390, "height": 844})
    assert_no_sideways_scroll(mpage)
    member.shot("pd-04-wishes-phone")
    mpage.set_viewport_size({"width": 1280, "height": 860})

    investor.open(day_url)
    investor.page.locator("form.add-wish select").select_option(str(member_org))
    investor.submit("form.add-wish")
    investor.expect_flash("The wish is added to the end of your list.")

    # --- Staff schedule: the bound and the grid ------------------------------------------------
    staff.open(day_url)
    staff.submit(f"form[action='{day_url}/schedule']")
    staff.expect_flash("Placed %(placed)s of at most %(bound)s meetings.", placed=2, bound=2)
    report = page.locator("#report")
    expect(report).to_contain_text(tr(lang, "Upper bound"))
    expect(report).to_contain_text(tr(lang, "Every wished meeting is placed."))
    cell = page.locator(".pitch-grid td.meeting", has_text=fund_name).filter(has_text=company)
    expect(cell).to_have_count(1)
    staff.shot("pd-05-grid", "pitch-day-grid" if docs else None)

    # --- Lock the member's meeting with the investor; a new run keeps it; unlock all; lock ------
    _click(staff, cell.locator("button"))
    staff.expect_flash("The meeting is locked: a new run keeps it.")
    locked = page.locator(".pitch-grid td.locked")
    expect(locked).to_have_count(1)
    where = locked.evaluate("td => [td.parentElement.rowIndex, td.cellIndex]")
    _click(staff, page.locator(f"form[action='{day_url}/schedule'] button"))
    expect(page.locator(".pitch-grid td.locked")).to_have_count(1)
    assert (
        page.locator(".pitch-grid td.locked").evaluate(
            "td => [td.parentElement.rowIndex, td.cellIndex]"
        )
        == where
    )
    _click(staff, page.locator(f"form[action='{day_url}/unlock-all'] button"))
    staff.expect_flash("Every meeting is unlocked.")
    expect(page.locator(".pitch-grid td.locked")).to_have_count(0)
    _click(staff, cell.locator("button"))
    staff.expect_flash("The meeting is locked: a new run keeps it.")
    staff.shot("pd-06-locked")

    # The phone: the grid scrolls in its own box, the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    staff.open(day_url)
    assert_no_sideways_scroll(page)
    staff.shot("pd-07-grid-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    # --- Publish ---------------------------------------------------------------------------------
    staff.open(day_url)
    _click(staff, page.locator(f"form[action='{day_url}/publish'] button"))
    staff.expect_flash("The schedule is published: participants now see their agendas.")
    expect(page.locator(".stage-published")).to_be_visible()

    # --- The agenda: My meetings, the printable agenda, the calendar feed ---------------------
    member.open("/meetings")
    section = mpage.locator("#pitch-meetings")
    expect(section.locator("tbody tr")).to_have_count(2)
    expect(section.locator("tbody tr").filter(has_text=fund_name)).to_contain_text(day_name)
    member.shot("pd-08-my-meetings", "pitch-day-my-meetings" if docs else None)
    _click(member, section.locator("tbody tr", has_text=fund_name).locator("a"))
    expect(mpage.locator("#agenda tbody tr")).to_have_count(2)
    expect(mpage.locator("#agenda")).to_contain_text(fund_name)
    member.shot("pd-09-agenda")
    mpage.set_viewport_size({"width": 390, "height": 844})
    for path, step in ((day_url, "pd-10-day-phone"), ("/meetings", "pd-11-my-meetings-phone")):
        member.open(path)
        assert_no_sideways_scroll(mpage)
        member.shot(step)

    investor.open("/meetings")
    expect(investor.page.locator("#pitch-meetings")).to_contain_text(company)

    feed = portal.api.call("POST", "/api/v1/me/calendar-feed", portal.email(member_key), expect=201)
    body = httpx.get(feed["url"], timeout=30).content
    summaries = [
        str(event["summary"])
        for event in Calendar.from_ical(body).walk()
        if event.name == "VEVENT" and str(event["uid"]).startswith(f"pitch-day-{pitch_day_id}-")
    ]
    assert len(summaries) == 2 and any(fund_name in s for s in summaries)
    member.close()
