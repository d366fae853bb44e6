"""Conflicts derived from people: a committee member whose personal INN the applicant lists, or
whose organisation lists a person the applicant lists too, is neither assigned (409
`derived_conflict`), nor chosen by automatic assignment, nor, as chair, lets decide (403)."""

from __future__ import annotations

from itertools import count
from typing import Any

from sqlalchemy import select

from app.accounts.identifiers import inn_with_check_digits
from app.accounts.models import Role
from app.membership.models import Assignment
from tests.factories import Actor, Factory
from tests.membership.helpers import Case, decide, reviewed, submitted

AUTO = "/api/v1/applications/assignments/auto"
_numbers = count(1)


def person_inn() -> str:
    return inn_with_check_digits(f"{5400000000 + next(_numbers) * 7919:010d}")


def person(name: str, inn: str, role: str, share: float | None = None) -> dict[str, Any]:
    return {"full_name": name, "inn": inn, "role": role, "share_percent": share}


def list_people(owner: Actor, organisation_id: int, people: list[dict[str, Any]]) -> None:
    response = owner.api.put(f"/api/v1/organisations/{organisation_id}/people", json=people)
    assert response.status_code == 200, response.text


def member_with_company(factory: Factory, people: list[dict[str, Any]], *roles: Role) -> Actor:
    """A committee member (or chair) owning a company that lists `people`."""
    member = factory.actor(*(roles or (Role.committee,)))
    company = factory.organisation(member.user, name="Reviewer's company")
    list_people(member, company.id, people)
    return member


class Links:
    """An application whose organisation lists three people, and one committee member linked
    to it each way the contract names, beside two who are not."""

    def __init__(self, factory: Factory) -> None:
        self.case: Case = submitted(factory)
        self.founder, self.director, self.holder = person_inn(), person_inn(), person_inn()
        list_people(
            self.case.applicant,
            self.case.organisation.id,
            [
                person("Ivan Founderov", self.founder, "founder", 60),
                person("Olga Directorova", self.director, "director"),
                person("Pyotr Holderov", self.holder, "shareholder", 40),
            ],
        )
        # The same founder founded the reviewer's company.
        self.shared_founder = member_with_company(
            factory, [person("Ivan Founderov", self.founder, "founder")]
        )
        # The applicant's director runs the reviewer's own company.
        self.runs_company = member_with_company(
            factory, [person("Olga Directorova", self.director, "director")]
        )
        # The applicant's shareholder sits on the board of the reviewer's company.
        self.shareholder = member_with_company(
            factory, [person("Pyotr Holderov", self.holder, "board")]
        )
        # The reviewer is the applicant's director themself.
        self.own_inn = factory.actor(Role.committee)
        response = self.own_inn.api.patch("/api/v1/me", json={"personal_inn": self.director})
        assert response.status_code == 200, response.text
        self.linked = [self.shared_founder, self.runs_company, self.shareholder, self.own_inn]
        # Not linked: a company listing somebody else, and a member with another INN.
        self.clean = [
            member_with_company(factory, [person("Somebody Else", person_inn(), "founder")]),
            factory.actor(Role.committee),
            factory.actor(Role.committee),
        ]
        self.clean[1].api.patch("/api/v1/me", json={"personal_inn": person_inn()})


def test_every_seeded_link_is_refused_with_derived_conflict(factory: Factory) -> None:
    links = Links(factory)
    staff = factory.actor(Role.staff)
    expected = {
        links.shared_founder.id: ("Ivan Founderov", "founder"),
        links.runs_company.id: ("Olga Directorova", "director"),
        links.shareholder.id: ("Pyotr Holderov", "shareholder"),
        links.own_inn.id: ("Olga Directorova", "director"),
    }
    for reviewer in links.linked:
        response = staff.api.post(
            f"{links.case.url}/assignments?lang=en", json={"reviewer_id": reviewer.id}
        )
        assert response.status_code == 409, response.text
        body = response.json()
        assert body["code"] == "derived_conflict"
        name, role = expected[reviewer.id]
        assert name in body["detail"] and role in body["detail"].lower()
    for reviewer in links.clean:
        response = staff.api.post(
            f"{links.case.url}/assignments", json={"reviewer_id": reviewer.id}
        )
        assert response.status_code == 201, response.text
    with factory.database.session_scope(write=False) as session:
        assigned = set(
            session.scalars(
                select(Assignment.reviewer_id).where(
                    Assignment.application_id == links.case.application_id
                )
            )
        )
    assert assigned == {r.id for r in links.clean}


def test_automatic_assignment_skips_every_linked_member(factory: Factory) -> None:
    links = Links(factory)
    chair = factory.actor(Role.chair)
    response = chair.api.post(AUTO, json={"per_application": 3})
    assert response.status_code == 200, response.text
    chosen = {p["reviewer_id"] for p in response.json()["assignments"]}
    assert chosen == {r.id for r in links.clean}
    # Seven places and six unlinked members: the application stays short.
    other = submitted(factory)
    list_people(other.applicant, other.organisation.id, [person("Ivan", links.founder, "board")])
    response = chair.api.post(
        AUTO, json={"application_ids": [other.application_id], "per_application": 7}
    )
    body = response.json()
    assert links.shared_founder.id not in {p["reviewer_id"] for p in body["assignments"]}
    assert [u["application_id"] for u in body["unfilled"]] == [other.application_id]
    # The single-application automatic assignment skips them too.
    third = submitted(factory)
    list_people(third.applicant, third.organisation.id, [person("Olga", links.director, "board")])
    response = chair.api.post(f"{third.url}/assignments", json={"auto": True})
    assert response.status_code == 201, response.text
    with factory.database.session_scope(write=False) as session:
        taken = set(
            session.scalars(
                select(Assignment.reviewer_id).where(
                    Assignment.application_id == third.application_id
                )
            )
        )
    assert taken
    assert not taken & {links.runs_company.id, links.own_inn.id}


def test_a_linked_chair_cannot_decide_and_sees_why(factory: Factory) -> None:
    case = reviewed(factory)
    founder = person_inn()
    list_people(case.applicant, case.organisation.id, [person("Anna Founder", founder, "founder")])
    assert case.chair is not None
    assert case.chair.api.patch("/api/v1/me", json={"personal_inn": founder}).status_code == 200
    response = decide(case)
    assert response.status_code == 403
    assert response.json()["code"] == "derived_conflict"
    # A chair whose company lists the founder is refused as well.
    linked = member_with_company(
        factory, [person("Anna Founder", founder, "shareholder")], Role.chair
    )
    refused = linked.api.post(
        f"{case.url}/decision?lang=en", json={"decision": "approved", "reason": "Fine"}
    )
    assert refused.status_code == 403
    assert "Anna Founder" in refused.json()["detail"]
    page = linked.api.get(f"/applications/{case.application_id}?lang=en")
    assert page.status_code == 200
    assert "Anna Founder" in page.text and "Founder" in page.text
    # An unlinked chair decides.
    free = factory.actor(Role.chair)
    case.chair = free
    assert decide(case).status_code == 200
    assert case.applicant.api.get(case.url).json()["status"] == "approved"


def test_the_reviewer_never_sees_the_applicants_people(factory: Factory) -> None:
    links = Links(factory)
    staff = factory.actor(Role.staff)
    reviewer = links.clean[1]
    assert (
        staff.api.post(
            f"{links.case.url}/assignments", json={"reviewer_id": reviewer.id}
        ).status_code
        == 201
    )
    for url in (
        links.case.url,
        f"/api/v1/organisations/{links.case.organisation.id}",
        f"/applications/{links.case.application_id}",
        f"/organisations/{links.case.organisation.id}",
        "/api/v1/applications/open-for-bids",
    ):
        response = reviewer.api.get(url)
        for secret in ("Founderov", links.founder, links.director, links.holder):
            assert secret not in response.text, (url, secret)
    assert (
        reviewer.api.get(f"/api/v1/organisations/{links.case.organisation.id}").json().get("people")
        is None
    )
    # A linked member does not even see the application among those open for bids.
    listed = links.own_inn.api.get("/api/v1/applications/open-for-bids").json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert links.case.application_id not in {item["id"] for item in items}
