"""Every step a person takes is confirmed at once by email and in the app, in their language:
applying, enrolling or joining a waitlist, requesting a meeting, requesting an introduction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.notifications.models import Notification, OutboxMessage
from tests.factories import Actor, Factory
from tests.introductions.helpers import make_world, request
from tests.meetings.helpers import investor, member, request_meeting
from tests.membership.helpers import submitted
from tests.training.helpers import make_course, make_session


def confirmations(factory: Factory, actor: Actor, kind: str) -> list[OutboxMessage]:
    with factory.database.session_scope(write=False) as session:
        messages = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient_id == actor.id, OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        )
        session.expunge_all()
    return messages


def notices(factory: Factory, actor: Actor) -> int:
    with factory.database.session_scope(write=False) as session:
        return len(
            session.scalars(select(Notification.id).where(Notification.user_id == actor.id)).all()
        )


@pytest.mark.parametrize(
    ("locale", "subject"),
    [("ru", "Заявка получена: ГеоСкан"), ("en", "Application received: ГеоСкан")],
)
def test_submitting_an_application_is_confirmed(
    factory: Factory, locale: str, subject: str
) -> None:
    case = submitted(factory, locale=locale)
    [mail] = confirmations(factory, case.applicant, "membership.submitted")
    assert mail.subject == subject
    assert f"/applications/{case.application_id}" in mail.body_text
    assert notices(factory, case.applicant) >= 1


def test_a_seat_and_a_waitlist_place_are_confirmed_with_what_they_hold(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api, title="Финансовая модель")
    training = make_session(staff.api, course["id"], capacity=1)
    seated, waiting = factory.actor(), factory.actor(locale="en")
    for person in (seated, waiting):
        assert person.api.post(f"/api/v1/sessions/{training['id']}/enrolments").status_code == 201
    [seat] = confirmations(factory, seated, "training.enrolment_confirmed")
    [place] = confirmations(factory, waiting, "training.enrolment_confirmed")
    assert seat.subject == "Вы записаны: Финансовая модель"
    assert "подтверждено" in seat.body_text and "Technopark, room 3" in seat.body_text
    assert place.subject == "You are on the waitlist: Финансовая модель"
    assert "waitlist, number 1" in place.body_text


def test_a_meeting_request_is_confirmed_with_the_answer_deadline(factory: Factory) -> None:
    founder, _ = member(factory)
    angel, _ = investor(factory, full_name="Ольга Ангелова")
    request_meeting(founder, angel.id, "Раунд на 30 млн")
    [mail] = confirmations(factory, founder, "meetings.request_sent")
    assert mail.subject == "Запрос на встречу отправлен: Ольга Ангелова"
    assert "может ответить до" in mail.body_text
    assert confirmations(factory, angel, "meetings.request_sent") == []


def test_an_introduction_request_is_confirmed_without_naming_anyone_at_the_partner(
    factory: Factory,
) -> None:
    world = make_world(factory)
    introduction = request(world)
    [mail] = confirmations(factory, world.member, "introductions.request_sent")
    assert mail.subject == "Запрошено знакомство: BigCorp"
    assert f"/introductions/{introduction['id']}" in mail.body_text
    assert "Pavel" not in mail.body_text + mail.body_html
