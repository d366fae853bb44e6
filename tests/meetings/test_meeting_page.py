"""The page of one meeting: who sees it, what it shows in the viewer's time zone, and the forms
for what each side may do now, each doing what its API route does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.accounts.models import Organisation, Role
from app.audit import AuditEntry
from app.meetings.models import Meeting, MeetingFeedback, MeetingStatus
from app.notifications.models import Notification, OutboxMessage
from tests.client import TestClient
from tests.factories import Actor, Factory
from tests.html import Page, csrf_from
from tests.meetings.helpers import (
    investor,
    member,
    open_window,
    request_meeting,
    tomorrow,
)

VIDEO = "https://meet.example.org/room-42"


@dataclass
class Booked:
    investor: Actor
    member: Actor
    organisation: Organisation
    meeting_id: int
    starts_at: datetime


def _accept_in_browser(
    factory: Factory, *, location: str = "Technopark, room 5", video_url: str = VIDEO
) -> Booked:
    """The investor accepts from the inbox, giving the place and the video link."""
    inv, _ = investor(factory, browser=True, full_name="Ирина Инвесторова")
    open_window(inv)
    mem, organisation = member(factory, browser=True, full_name="Мария Основатель")
    asked = request_meeting(mem, inv.id, "Хотим показать пилот\nс двумя агрохолдингами")
    assert inv.browser is not None
    inbox = inv.browser.get("/investor-inbox")
    start = tomorrow(10)
    response = inv.browser.post(
        f"/investor-inbox/{asked['id']}/accept",
        data={
            "csrf_token": csrf_from(inbox.text),
            "starts_at": start.isoformat(),
            "location": location,
            "video_url": video_url,
        },
    )
    assert response.status_code == 303, response.text
    with factory.database.session_scope(write=False) as session:
        meeting = session.scalars(select(Meeting)).one()
        meeting_id = meeting.id
    assert response.headers["location"] == f"/meetings/{meeting_id}"
    return Booked(inv, mem, organisation, meeting_id, start)


def _meeting(factory: Factory, meeting_id: int) -> Meeting:
    with factory.database.session_scope(write=False) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        _ = meeting.feedback
        session.expunge_all()
    return meeting


def _begin(factory: Factory, meeting_id: int) -> None:
    """Move the meeting an hour into the past (the API never books one there)."""
    start = datetime.now(UTC) - timedelta(hours=1)
    with factory.database.session_scope() as session:
        session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(starts_at=start, ends_at=start + timedelta(minutes=30))
        )


def _post(actor: Actor, path: str, page: str, **data: str):
    assert actor.browser is not None
    return actor.browser.post(path, data={"csrf_token": csrf_from(page), **data})


def _forms(html: str) -> set[str]:
    """The actions of the meeting's own forms on the page."""
    actions = set()
    for name in ("details", "reschedule", "cancel", "feedback", "no-show"):
        if f'/{name}"' in html:
            actions.add(name)
    return actions


def test_accepting_with_a_place_and_a_video_link_lands_on_the_meeting_page(
    factory: Factory,
) -> None:
    booked = _accept_in_browser(factory)

    meeting = _meeting(factory, booked.meeting_id)
    assert (meeting.location, meeting.video_url) == ("Technopark, room 5", VIDEO)
    assert booked.member.browser is not None
    notice_link = f"/meetings/{booked.meeting_id}"
    with factory.database.session_scope(write=False) as session:
        links = set(
            session.scalars(
                select(Notification.link).where(Notification.user_id == booked.member.id)
            )
        )
        bodies = session.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.recipient_id == booked.member.id)
        ).all()
    assert notice_link in links
    assert any(f"http://testserver{notice_link}" in b and VIDEO in b for b in bodies)
    page = booked.member.browser.get(notice_link)
    assert page.status_code == 200
    assert "Ирина Инвесторова" in page.text and "Technopark, room 5" in page.text
    assert f'href="{VIDEO}"' in page.text
    assert "Хотим показать пилот<br>" in page.text  # the request's message, lines kept
    assert f'href="/api/v1/meetings/{booked.meeting_id}/calendar.ics"' in page.text


def test_the_page_is_for_both_sides_and_staff_only(factory: Factory) -> None:
    booked = _accept_in_browser(factory)
    path = f"/meetings/{booked.meeting_id}"
    staff = factory.actor(Role.staff, browser=True)
    stranger, _ = member(factory, browser=True)
    other_investor, _ = investor(factory, browser=True)

    assert booked.investor.browser is not None and booked.member.browser is not None
    assert staff.browser is not None and stranger.browser is not None
    assert other_investor.browser is not None
    for actor in (booked.investor, booked.member, staff):
        assert actor.browser is not None
        assert actor.browser.get(path).status_code == 200
    for actor in (stranger, other_investor):
        assert actor.browser is not None
        response = actor.browser.get(path)
        assert response.status_code == 404 and "Ирина" not in response.text
    anonymous = TestClient(factory.app, base_url="http://testserver", follow_redirects=False)
    assert anonymous.get(path).headers["location"].startswith("/login")
    assert booked.member.browser.get("/meetings/999999").status_code == 404


def test_the_time_is_shown_in_each_viewers_zone(factory: Factory) -> None:
    inv, _ = investor(factory, browser=True, timezone="Asia/Novosibirsk", locale="en")
    open_window(inv)
    mem, _ = member(factory, browser=True, timezone="Europe/Moscow", locale="en")
    asked = request_meeting(mem, inv.id)
    meeting = inv.api.post(
        f"/api/v1/meeting-requests/{asked['id']}/accept",
        json={"starts_at": tomorrow(10).isoformat()},
    ).json()
    assert inv.browser is not None and mem.browser is not None

    seen_by_investor = inv.browser.get(f"/meetings/{meeting['id']}").text
    seen_by_member = mem.browser.get(f"/meetings/{meeting['id']}").text

    # 10:00 UTC is 17:00 in Novosibirsk and 13:00 in Moscow.
    assert "5:00\u202fPM" in seen_by_investor and "Novosibirsk (MSK+4)" in seen_by_investor
    assert "1:00\u202fPM" in seen_by_member and "Moscow (MSK)" in seen_by_member


def test_each_side_sees_the_buttons_the_policies_allow(factory: Factory) -> None:
    booked = _accept_in_browser(factory)
    path = f"/meetings/{booked.meeting_id}"
    staff = factory.actor(Role.staff, browser=True)
    assert booked.investor.browser and booked.member.browser and staff.browser

    assert _forms(booked.member.browser.get(path).text) == {"cancel"}
    assert _forms(booked.investor.browser.get(path).text) == {"details", "reschedule", "cancel"}
    assert _forms(staff.browser.get(path).text) == {"details", "reschedule", "cancel"}

    _begin(factory, booked.meeting_id)
    member_page = booked.member.browser.get(path).text
    assert _forms(member_page) == {"feedback", "no-show"}  # too late to cancel
    assert 'name="party" value="investor"' in member_page
    assert 'name="party" value="organisation"' not in member_page
    staff_page = staff.browser.get(path).text
    assert 'name="party" value="investor"' in staff_page
    assert 'name="party" value="organisation"' in staff_page
    assert "feedback" not in _forms(staff_page)  # staff did not take part

    response = _post(
        booked.member, f"{path}/feedback", member_page, rating="4", outcome="follow_up"
    )
    assert response.status_code == 303
    # Once completed, only the record stays: no more buttons, the feedback is listed.
    for actor in (booked.member, booked.investor):
        assert actor.browser is not None
        page = actor.browser.get(path).text
        assert _forms(page) == ({"feedback"} if actor is booked.investor else set())
    assert "4/5" in booked.member.browser.get(path).text


def test_cancelling_from_the_page_asks_first_and_does_what_the_api_does(
    factory: Factory,
) -> None:
    booked = _accept_in_browser(factory)
    path = f"/meetings/{booked.meeting_id}"
    assert booked.member.browser is not None
    page = booked.member.browser.get(path).text
    assert f'action="/meetings/{booked.meeting_id}/cancel" data-confirm=' in page

    response = _post(booked.member, f"{path}/cancel", page, reason="Сдвинулся пилот")

    assert response.status_code == 303 and response.headers["location"] == path
    meeting = _meeting(factory, booked.meeting_id)
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == (
        MeetingStatus.cancelled,
        "Сдвинулся пилот",
        1,
    )
    with factory.database.session_scope(write=False) as session:
        told = session.scalars(
            select(OutboxMessage.recipient_id).where(
                OutboxMessage.idempotency_key.like(f"meetings.meeting.{meeting.id}.cancelled%")
            )
        ).all()
    assert set(told) == {booked.member.id, booked.investor.id}
    after = booked.member.browser.get(path).text
    assert "Сдвинулся пилот" in after and _forms(after) == set()

    again = _post(booked.member, f"{path}/cancel", page, reason="Ещё раз")
    assert again.status_code == 409 and "это действие уже невозможно" in again.text


def test_rescheduling_from_the_page_moves_the_meeting_and_raises_the_sequence(
    factory: Factory,
) -> None:
    booked = _accept_in_browser(factory)
    path = f"/meetings/{booked.meeting_id}"
    assert booked.investor.browser is not None
    page = booked.investor.browser.get(path).text
    later = booked.starts_at + timedelta(hours=1)
    assert f'value="{later.isoformat()}"' in page

    response = _post(booked.investor, f"{path}/reschedule", page, starts_at=later.isoformat())

    assert response.status_code == 303
    meeting = _meeting(factory, booked.meeting_id)
    assert (meeting.starts_at, meeting.sequence) == (later, 1)
    refused = _post(booked.investor, f"{path}/reschedule", page, starts_at="")
    assert refused.status_code == 422 and 'id="starts_at-error"' in refused.text
    assert booked.member.browser is not None
    member_try = _post(booked.member, f"{path}/reschedule", page, starts_at=later.isoformat())
    assert member_try.status_code == 403
    assert _meeting(factory, booked.meeting_id).sequence == 1


def test_a_refused_feedback_form_keeps_what_was_typed(factory: Factory) -> None:
    booked = _accept_in_browser(factory)
    _begin(factory, booked.meeting_id)
    path = f"/meetings/{booked.meeting_id}"
    assert booked.investor.browser is not None
    page = booked.investor.browser.get(path).text

    refused = _post(
        booked.investor,
        f"{path}/feedback",
        page,
        rating="5",
        outcome="investment",
        amount_rub="",
        note="Готовы войти раундом",
    )

    assert refused.status_code == 422
    assert ">Готовы войти раундом</textarea>" in refused.text
    assert 'id="amount_rub-error"' in refused.text
    assert factory.count(MeetingFeedback) == 0
    done = _post(
        booked.investor,
        f"{path}/feedback",
        page,
        rating="5",
        outcome="investment",
        amount_rub="15000000",
        note="Готовы войти раундом",
    )
    assert done.status_code == 303
    with factory.database.session_scope(write=False) as session:
        (feedback,) = session.scalars(select(MeetingFeedback)).all()
        assert (feedback.side, feedback.amount_rub) == ("investor", 15_000_000)


def test_a_no_show_is_recorded_by_the_other_side_after_confirmation(factory: Factory) -> None:
    booked = _accept_in_browser(factory)
    _begin(factory, booked.meeting_id)
    path = f"/meetings/{booked.meeting_id}"
    assert booked.investor.browser is not None
    page = booked.investor.browser.get(path).text
    assert "data-confirm=" in page.split('value="organisation"')[0].rsplit("<form", 1)[1]

    wrong = _post(booked.investor, f"{path}/no-show", page, party="investor")
    assert wrong.status_code == 303 and _meeting(factory, booked.meeting_id).no_show is None

    response = _post(booked.investor, f"{path}/no-show", page, party="organisation")

    assert response.status_code == 303
    meeting = _meeting(factory, booked.meeting_id)
    assert (meeting.status, meeting.no_show) == (MeetingStatus.completed, "organisation")


def test_the_investor_changes_the_place_later_and_both_sides_are_sent_it(
    factory: Factory,
) -> None:
    booked = _accept_in_browser(factory, location="", video_url="")
    path = f"/meetings/{booked.meeting_id}"
    assert booked.investor.browser is not None and booked.member.browser is not None
    assert _meeting(factory, booked.meeting_id).location is None
    page = booked.investor.browser.get(path).text

    refused = _post(
        booked.investor, f"{path}/details", page, location="Зал 2", video_url="http://x.example"
    )
    assert refused.status_code == 422
    assert 'value="Зал 2"' in refused.text and 'value="http://x.example"' in refused.text
    assert "https://" in Page(refused.text).texts("p", within="details")[-1]
    response = _post(booked.investor, f"{path}/details", page, location="Зал 2", video_url=VIDEO)

    assert response.status_code == 303
    meeting = _meeting(factory, booked.meeting_id)
    assert (meeting.location, meeting.video_url, meeting.sequence) == ("Зал 2", VIDEO, 1)
    with factory.database.session_scope(write=False) as session:
        updated = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("%.updated.1%"))
        ).all()
        audit = session.scalars(
            select(AuditEntry.data).where(AuditEntry.action == "meetings.meeting_details_changed")
        ).all()
    assert {m.recipient_id for m in updated} == {booked.investor.id, booked.member.id}
    assert all("Зал 2" in m.body_text for m in updated)
    assert audit == [{"fields": ["location", "video_url"]}]  # no free text in the log

    member_try = _post(booked.member, f"{path}/details", page, location="Кафе", video_url="")
    assert member_try.status_code == 403
    assert _meeting(factory, booked.meeting_id).location == "Зал 2"


def test_my_meetings_links_each_meeting_to_its_page(factory: Factory) -> None:
    booked = _accept_in_browser(factory)
    assert booked.member.browser is not None and booked.investor.browser is not None
    for actor in (booked.member, booked.investor):
        assert actor.browser is not None
        assert f'href="/meetings/{booked.meeting_id}"' in actor.browser.get("/meetings").text


def test_the_api_takes_the_place_on_acceptance_and_later(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory)
    asked = request_meeting(mem, inv.id)
    bad = inv.api.post(
        f"/api/v1/meeting-requests/{asked['id']}/accept",
        json={"starts_at": tomorrow(10).isoformat(), "video_url": "http://meet.example.org/a"},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "video_url"
    accepted = inv.api.post(
        f"/api/v1/meeting-requests/{asked['id']}/accept",
        json={"starts_at": tomorrow(10).isoformat(), "location": "Офис фонда"},
    )
    assert accepted.status_code == 200, accepted.text
    meeting = accepted.json()
    assert (meeting["location"], meeting["video_url"], meeting["sequence"]) == (
        "Офис фонда",
        None,
        0,
    )

    patched = inv.api.patch(f"/api/v1/meetings/{meeting['id']}", json={"video_url": VIDEO})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["location"], patched.json()["video_url"]) == ("Офис фонда", VIDEO)
    assert patched.json()["sequence"] == 1
    same = inv.api.patch(f"/api/v1/meetings/{meeting['id']}", json={"video_url": VIDEO})
    assert same.json()["sequence"] == 1  # nothing changed, nobody is told again
    assert mem.api.patch(f"/api/v1/meetings/{meeting['id']}", json={}).status_code == 403
    stranger, _ = member(factory)
    assert stranger.api.patch(f"/api/v1/meetings/{meeting['id']}", json={}).status_code == 404
    cleared = inv.api.patch(f"/api/v1/meetings/{meeting['id']}", json={"location": None})
    assert cleared.json()["location"] is None and cleared.json()["video_url"] == VIDEO


def test_a_meeting_that_has_begun_can_no_longer_be_cancelled_or_moved(factory: Factory) -> None:
    booked = _accept_in_browser(factory)
    _begin(factory, booked.meeting_id)
    assert booked.investor.browser is not None
    page = booked.investor.browser.get(f"/meetings/{booked.meeting_id}").text
    assert not {"cancel", "reschedule"} & _forms(page)

    api = f"/api/v1/meetings/{booked.meeting_id}"
    cancel = booked.member.api.post(f"{api}/cancel", json={"reason": "Too late"})
    later = (booked.starts_at + timedelta(days=1)).isoformat()
    moved = booked.investor.api.post(f"{api}/reschedule", json={"starts_at": later})

    assert (cancel.status_code, moved.status_code) == (409, 409)
    assert cancel.json()["detail"] == "Встреча уже началась, её нельзя отменить."
    assert "ещё не началась" in moved.json()["detail"]
    assert _meeting(factory, booked.meeting_id).status == MeetingStatus.scheduled
