from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import OrganisationMember, OrganisationRole, Role
from app.training.models import Enrolment
from tests.html import Page, csrf_from
from tests.training.helpers import make_course, make_session


def _join(factory, organisation, user) -> None:
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation.id, user_id=user.id, role=OrganisationRole.member
            )
        )


def _options(html: str) -> list[str]:
    """The colleagues the page offers to enrol (none when it shows no such form)."""
    return [
        option.text
        for select in Page(html).find_all(id="colleague")
        for option in select.find_all("option")
    ]


def _enrolled(factory, session_id: int) -> list[tuple[int, str]]:
    with factory.database.session_scope(write=False) as db:
        rows = db.scalars(select(Enrolment).where(Enrolment.session_id == session_id)).all()
        return sorted((e.user_id, e.status.value) for e in rows)


def test_owner_enrols_a_colleague_from_the_session_page(factory) -> None:
    staff = factory.actor(Role.staff)
    course = make_course(staff.api)
    training = make_session(staff.api, course["id"], capacity=1)
    owner = factory.actor(browser=True)
    organisation = factory.organisation(owner.user)
    alice = factory.actor(full_name="Alice Colleague", browser=True)
    bob = factory.actor(full_name="Bob Colleague")
    _join(factory, organisation, alice.user)
    _join(factory, organisation, bob.user)
    stranger = factory.actor(full_name="Stranger")

    page = owner.browser.get(f"/sessions/{training['id']}").text
    assert _options(page) == ["Alice Colleague", "Bob Colleague"]
    assert _options(alice.browser.get(f"/sessions/{training['id']}").text) == []

    done = owner.browser.post(
        f"/sessions/{training['id']}/enrol-colleague",
        data={"user_id": str(alice.id), "csrf_token": csrf_from(page)},
    )
    assert done.status_code == 303
    page = owner.browser.get(f"/sessions/{training['id']}").text
    assert "Alice Colleague" in page and _options(page) == ["Bob Colleague"]
    owner.browser.post(
        f"/sessions/{training['id']}/enrol-colleague",
        data={"user_id": str(bob.id), "csrf_token": csrf_from(page)},
    )
    refused = owner.browser.post(
        f"/sessions/{training['id']}/enrol-colleague",
        data={"user_id": str(stranger.id), "csrf_token": csrf_from(page)},
    )
    assert refused.status_code == 303
    assert _enrolled(factory, training["id"]) == [(alice.id, "enrolled"), (bob.id, "waitlisted")]
    assert _options(owner.browser.get(f"/sessions/{training['id']}").text) == []
