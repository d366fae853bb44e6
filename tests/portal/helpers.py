"""People of every role, each with something to do (built through the API as they would), and
what their workspace shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from app.accounts.models import OrganisationKind, Role
from app.notifications.models import OutboxMessage, OutboxStatus
from tests.client import TestClient
from tests.factories import Actor, Factory, make_member
from tests.html import Page
from tests.introductions.helpers import forwarded, make_world
from tests.introductions.helpers import request as ask_introduction
from tests.meetings.helpers import investor, request_meeting
from tests.membership.helpers import GOOD_REVIEW, draft, under_review
from tests.training.helpers import make_course, make_session


@dataclass(frozen=True)
class Shown:
    """One item of a workspace part as a reader sees it."""

    label: str
    href: str
    count: str
    text: str


def workspace(client: TestClient | None) -> dict[str, list[Shown]]:
    """The parts of the signed-in user's home page, by key, each with its items (an empty part:
    one item without a link, its empty state's text)."""
    assert client is not None
    response = client.get("/")
    assert response.status_code == 200
    page = Page(response.text)
    parts: dict[str, list[Shown]] = {}
    for section in page.find_all("section", class_="workspace-part"):
        key = section.get("id").removeprefix("part-")
        parts[key] = [
            Shown(
                label=item.find("a").text,
                href=item.find("a").get("href"),
                count=next((c.text for c in item.find_all("span", class_="count")), ""),
                text=item.text,
            )
            for item in section.find_all("li", class_="work-item")
        ]
        if not parts[key]:
            parts[key] = [Shown("", "", "", section.find("p", class_="empty").text)]
    return parts


def applicant(factory: Factory) -> tuple[Actor, int]:
    case = draft(factory, browser=True)
    return case.applicant, case.application_id


def committee_member(factory: Factory) -> tuple[Actor, int]:
    """A committee member with one review to write (declared, not yet reviewed)."""
    case = under_review(factory, reviewers=1)
    reviewer = case.reviewers[0]
    reviewer.browser = factory.browser_client(reviewer.user)
    return reviewer, case.application_id


def chair(factory: Factory) -> tuple[Actor, int]:
    """A chair with one application whose three reviews reach the quorum and disagree."""
    case = under_review(factory, reviewers=3)
    low = {**GOOD_REVIEW, "scores": dict.fromkeys(GOOD_REVIEW["scores"], 1)}
    for reviewer, review in zip(case.reviewers, (GOOD_REVIEW, GOOD_REVIEW, low), strict=True):
        response = reviewer.api.put(f"{case.url}/reviews/mine", json=review)
        assert response.status_code == 200, response.text
    assert case.chair is not None
    case.chair.browser = factory.browser_client(case.chair.user)
    return case.chair, case.application_id


def staff(factory: Factory) -> Actor:
    """Staff with one organisation to verify, one introduction to broker, one session with a
    waitlist and one undelivered email."""
    world = make_world(factory)
    ask_introduction(world)
    factory.organisation(factory.user(), kind=OrganisationKind.large, name="Unverified Corp")
    course = make_course(world.staff.api)
    session = make_session(world.staff.api, course["id"], capacity=1)
    for person in (factory.actor(), factory.actor()):
        response = person.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
        assert response.status_code in (200, 201), response.text
    with factory.database.session_scope() as db:
        db.execute(update(OutboxMessage).values(status=OutboxStatus.dead))
    world.staff.browser = factory.browser_client(world.staff.user)
    return world.staff


def investor_with_request(factory: Factory) -> Actor:
    person, _organisation = investor(factory, browser=True)
    member, _organisation = _member(factory)
    request_meeting(member, person.id)
    return person


def partner_with_request(factory: Factory) -> tuple[Actor, int]:
    world = make_world(factory)
    introduction_id = forwarded(world)
    world.partner.browser = factory.browser_client(world.partner.user)
    return world.partner, introduction_id


def _member(factory: Factory, *roles: Role) -> tuple[Actor, object]:
    actor = factory.actor(*roles, browser=True)
    organisation = factory.organisation(actor.user)
    make_member(factory.database, organisation)
    return actor, organisation


def member(factory: Factory, *roles: Role) -> Actor:
    """A member enrolled in an upcoming session, with a verified investor to recommend."""
    actor, _organisation = _member(factory, *roles)
    staff_person = factory.actor(Role.staff)
    course = make_course(staff_person.api)
    session = make_session(staff_person.api, course["id"])
    response = actor.api.post(f"/api/v1/sessions/{session['id']}/enrolments")
    assert response.status_code in (200, 201), response.text
    investor(factory)
    return actor
