"""The meeting request page says what is missing before any typing, and a refused request form
comes back with what was typed."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from app.meetings.models import MeetingRequest
from tests.factories import Actor, Factory
from tests.html import csrf_from
from tests.meetings.helpers import investor, member, open_window, request_meeting, tomorrow
from tests.training.helpers import make_course, make_session

MESSAGE = "Мы — команда из Томска, ищем 20 млн на пилот в двух агрохолдингах."


def _readiness_course(factory: Factory) -> tuple[Actor, dict, dict]:
    """Staff flag a course as investor readiness and plan two sessions of it."""
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Готовность к инвестициям", investor_readiness=True)
    later = make_session(staff.api, course["id"], hours=24 * 9)
    sooner = make_session(staff.api, course["id"], hours=24 * 3)
    return staff, later, sooner


def test_a_member_without_the_certificate_is_told_what_is_missing_before_typing(
    factory: Factory,
) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    _staff, _later, sooner = _readiness_course(factory)
    mem, _ = member(factory, browser=True)
    assert mem.browser is not None

    for path in ("/investors", f"/investors/{inv.id}/request"):
        page = mem.browser.get(path)
        assert page.status_code == 200
        assert 'id="requirements"' in page.text
        assert f'href="/sessions/{sooner["id"]}"' in page.text
        assert "Готовность к инвестициям" in page.text
        assert "<textarea" not in page.text  # no form to type into

    assert mem.api.post(f"/api/v1/sessions/{sooner['id']}/enrolments").status_code == 201
    enrolled = mem.browser.get(f"/investors/{inv.id}/request").text
    assert f'href="/sessions/{sooner["id"]}"' in enrolled
    assert "вы записаны" in enrolled.lower()


def test_without_a_planned_session_the_page_points_to_the_training_calendar(
    factory: Factory,
) -> None:
    inv, _ = investor(factory)
    staff = factory.actor(Role.staff)
    make_course(staff.api, investor_readiness=True)
    mem, _ = member(factory, browser=True, locale="en")
    assert mem.browser is not None

    page = mem.browser.get(f"/investors/{inv.id}/request").text

    assert "No session is planned yet." in page and 'href="/sessions"' in page


def test_a_ready_member_gets_the_form_and_sends_the_request(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory, browser=True)
    assert mem.browser is not None
    page = mem.browser.get(f"/investors/{inv.id}/request")
    assert 'id="requirements"' not in page.text and 'name="message"' in page.text
    slot = tomorrow(10).isoformat()
    assert f'value="{slot}"' in page.text

    response = mem.browser.post(
        f"/investors/{inv.id}/request",
        data={"csrf_token": csrf_from(page.text), "message": MESSAGE, "starts_at": slot},
    )

    assert response.status_code == 303 and response.headers["location"] == "/meetings"
    (sent,) = mem.api.get("/api/v1/meeting-requests").json()["items"]
    assert (sent["message"], sent["starts_at"]) == (MESSAGE, slot.replace("+00:00", "Z"))


def test_a_refused_request_comes_back_with_the_message_as_typed(factory: Factory) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory, browser=True)
    assert mem.browser is not None
    request_meeting(mem, inv.id, "Первый запрос")
    page = mem.browser.get(f"/investors/{inv.id}/request").text
    slot = tomorrow(10).isoformat()

    duplicate = mem.browser.post(
        f"/investors/{inv.id}/request",
        data={"csrf_token": csrf_from(page), "message": MESSAGE, "starts_at": slot},
    )

    assert duplicate.status_code == 409
    assert f">{MESSAGE}</textarea>" in duplicate.text
    assert f'value="{slot}" selected' in duplicate.text
    assert 'role="alert"' in duplicate.text
    assert factory.count(MeetingRequest) == 1

    other, _ = investor(factory)
    open_window(other)
    past = (tomorrow(10) - timedelta(days=3)).isoformat()
    not_a_slot = mem.browser.post(
        f"/investors/{other.id}/request",
        data={"csrf_token": csrf_from(page), "message": MESSAGE, "starts_at": past},
    )
    assert not_a_slot.status_code == 422
    assert f">{MESSAGE}</textarea>" in not_a_slot.text and 'id="starts_at-error"' in not_a_slot.text
    empty = mem.browser.post(
        f"/investors/{other.id}/request", data={"csrf_token": csrf_from(page), "message": ""}
    )
    assert empty.status_code == 422 and 'id="message-error"' in empty.text
    assert factory.count(MeetingRequest) == 1


def test_a_request_refused_for_the_missing_certificate_keeps_the_message(
    factory: Factory,
) -> None:
    inv, _ = investor(factory)
    open_window(inv)
    mem, _ = member(factory, browser=True)
    assert mem.browser is not None
    page = mem.browser.get(f"/investors/{inv.id}/request").text  # the form, as yet
    _readiness_course(factory)  # meanwhile staff make the course a requirement

    response = mem.browser.post(
        f"/investors/{inv.id}/request", data={"csrf_token": csrf_from(page), "message": MESSAGE}
    )

    assert response.status_code == 403
    assert 'id="requirements"' in response.text
    assert f"readonly>{MESSAGE}</textarea>" in response.text
    assert factory.count(MeetingRequest) == 0


def test_a_person_of_two_member_organisations_chooses_which_one_asks(factory: Factory) -> None:
    from tests.factories import make_member

    inv, _ = investor(factory)
    mem, first = member(factory, browser=True)
    second = factory.organisation(mem.user, name="Вторая компания")
    make_member(factory.database, second)
    assert mem.browser is not None
    page = mem.browser.get(f"/investors/{inv.id}/request").text
    assert 'name="organisation_id"' in page and "Вторая компания" in page

    response = mem.browser.post(
        f"/investors/{inv.id}/request",
        data={"csrf_token": csrf_from(page), "message": MESSAGE, "organisation_id": second.id},
    )

    assert response.status_code == 303
    (sent,) = mem.api.get("/api/v1/meeting-requests").json()["items"]
    assert sent["organisation_id"] == second.id != first.id
