from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import OrganisationMember, Role
from app.notifications.models import OutboxMessage
from app.training.models import Enrolment
from tests.factories import make_member
from tests.training.helpers import make_course, make_session, move_session


def _enrol(actor, session_id, **body):
    return actor.api.post(f"/api/v1/sessions/{session_id}/enrolments", json=body or None)


def _places(factory, session_id: int) -> dict[int, tuple[str, int | None]]:
    """Each person's place in the session: (status, seat or queue number)."""
    with factory.database.session_scope(write=False) as db:
        rows = db.scalars(select(Enrolment).where(Enrolment.session_id == session_id)).all()
        return {e.user_id: (str(e.status), e.seat_number or e.queue_number) for e in rows}


def test_enrol_takes_a_seat_then_full_goes_to_waitlist(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"], capacity=1)
    first, second, third = (factory.actor() for _ in range(3))
    r1 = _enrol(first, session["id"])
    assert r1.status_code == 201
    assert (r1.json()["status"], r1.json()["position"]) == ("enrolled", None)
    r2 = _enrol(second, session["id"])
    assert (r2.status_code, r2.json()["status"], r2.json()["position"]) == (201, "waitlisted", 1)
    r3 = _enrol(third, session["id"])
    assert (r3.json()["status"], r3.json()["position"]) == ("waitlisted", 2)


def test_duplicate_enrolment_is_409(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"], capacity=1)
    person, other = factory.actor(), factory.actor()
    assert _enrol(person, session["id"]).status_code == 201
    again = _enrol(person, session["id"])
    assert again.status_code == 409
    assert again.json()["detail"] == "Вы уже записаны на это занятие."
    assert _enrol(other, session["id"]).status_code == 201
    assert _enrol(other, session["id"]).status_code == 409
    assert _places(factory, session["id"]) == {
        person.id: ("enrolled", 1),
        other.id: ("waitlisted", 1),
    }


def test_enrolment_after_start_is_409(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"])
    move_session(factory.database, session["id"], starts_in=timedelta(minutes=-1))
    response = _enrol(factory.actor(), session["id"])
    assert response.status_code == 409
    assert response.json()["detail"] == "Запись закрыта: занятие уже началось."
    assert _places(factory, session["id"]) == {}


def test_unknown_session_is_404(factory) -> None:
    response = _enrol(factory.actor(), 424242)
    assert response.status_code == 404
    assert response.json()["detail"] == "Занятие не найдено."
    assert factory.count(Enrolment) == 0


def test_members_only_course_refuses_non_members_with_reason(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api, members_only=True)["id"])
    outsider = factory.actor()
    response = outsider.api.post(f"/api/v1/sessions/{session['id']}/enrolments?lang=en")
    assert response.status_code == 403
    assert "cluster members only" in response.json()["detail"]
    member = factory.actor()
    make_member(factory.database, factory.organisation(member.user))
    assert _enrol(member, session["id"]).status_code == 201


def test_owner_enrols_a_colleague_but_not_a_stranger(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"])
    owner, colleague, stranger = factory.actor(), factory.actor(), factory.actor()
    organisation = factory.organisation(owner.user)
    with factory.database.session_scope() as db:
        db.add(OrganisationMember(organisation_id=organisation.id, user_id=colleague.id))
    response = _enrol(owner, session["id"], user_id=colleague.id)
    assert response.status_code == 201
    assert response.json()["user_id"] == colleague.id
    assert _enrol(owner, session["id"], user_id=stranger.id).status_code == 403
    assert _enrol(colleague, session["id"], user_id=owner.id).status_code == 403
    assert _enrol(owner, session["id"], user_id=999999).status_code == 403
    assert _enrol(colleague, session["id"]).status_code == 409


def test_company_cap_limits_places_per_organisation(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"], capacity=10, company_cap=2)
    owner = factory.actor()
    organisation = factory.organisation(owner.user)
    colleagues = [factory.actor() for _ in range(2)]
    with factory.database.session_scope() as db:
        for colleague in colleagues:
            db.add(OrganisationMember(organisation_id=organisation.id, user_id=colleague.id))
    assert _enrol(owner, session["id"]).status_code == 201
    assert _enrol(owner, session["id"], user_id=colleagues[0].id).status_code == 201
    capped = _enrol(owner, session["id"], user_id=colleagues[1].id)
    assert capped.status_code == 409
    assert capped.json()["detail"] == "У вашей компании уже 2 места на этом занятии — это максимум."
    outsider = factory.actor()
    assert _enrol(outsider, session["id"]).status_code == 201
    assert _places(factory, session["id"]) == {
        owner.id: ("enrolled", 1),
        colleagues[0].id: ("enrolled", 2),
        outsider.id: ("enrolled", 3),
    }


def test_cancel_promotes_first_waitlisted_and_notifies_them(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api, title="Pitch deck")["id"], capacity=1)
    holder, first, second = (factory.actor(locale="en") for _ in range(3))
    for person in (holder, first, second):
        _enrol(person, session["id"])
    response = holder.api.delete(f"/api/v1/sessions/{session['id']}/enrolments/mine")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    promoted = first.api.get(f"/api/v1/sessions/{session['id']}/enrolments/mine").json()
    assert (promoted["status"], promoted["position"]) == ("enrolled", None)
    waiting = second.api.get(f"/api/v1/sessions/{session['id']}/enrolments/mine").json()
    assert (waiting["status"], waiting["position"]) == ("waitlisted", 1)
    with factory.database.session_scope(write=False) as db:
        messages = db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "training.promoted")
        ).all()
        assert [(m.recipient_id, m.subject) for m in messages] == [
            (first.id, "A seat is yours: Pitch deck")
        ]
    again = holder.api.delete(f"/api/v1/sessions/{session['id']}/enrolments/mine")
    assert again.status_code == 404
    rejoin = _enrol(holder, session["id"])
    assert (rejoin.status_code, rejoin.json()["status"], rejoin.json()["position"]) == (
        201,
        "waitlisted",
        2,
    )


def test_leaving_the_waitlist_moves_others_up(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"], capacity=1)
    people = [factory.actor() for _ in range(4)]
    for person in people:
        _enrol(person, session["id"])
    assert (
        people[1].api.delete(f"/api/v1/sessions/{session['id']}/enrolments/mine").status_code == 200
    )
    positions = [
        p.api.get(f"/api/v1/sessions/{session['id']}/enrolments/mine").json()["position"]
        for p in people[2:]
    ]
    assert positions == [1, 2]
    listing = staff.api.get(f"/api/v1/sessions/{session['id']}/enrolments").json()
    assert [(i["user_id"], i["status"]) for i in listing["items"]] == [
        (people[0].id, "enrolled"),
        (people[2].id, "waitlisted"),
        (people[3].id, "waitlisted"),
        (people[1].id, "cancelled"),
    ]


def test_seat_cannot_be_given_up_after_start(factory) -> None:
    staff = factory.actor(Role.staff)
    session = make_session(staff.api, make_course(staff.api)["id"], capacity=1)
    person = factory.actor()
    _enrol(person, session["id"])
    move_session(factory.database, session["id"], starts_in=timedelta(minutes=-5))
    refused = person.api.delete(f"/api/v1/sessions/{session['id']}/enrolments/mine")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Занятие уже началось; отказаться от места нельзя."
    assert _places(factory, session["id"]) == {person.id: ("enrolled", 1)}
