"""Committee expertise, bids on the applications open for bids, and the optimal assignment of
many applications over HTTP."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.accounts.models import OrganisationMember, OrganisationRole, Role
from app.audit import AuditEntry
from app.membership.models import Assignment, Bid, Expertise
from app.notifications.models import OutboxMessage
from tests.factories import Actor, Factory
from tests.membership.helpers import Case, submitted

AUTO = "/api/v1/applications/assignments/auto"
OPEN = "/api/v1/applications/open-for-bids"


def _bid(actor: Actor, case: Case, interest: str) -> int:
    return actor.api.put(f"{case.url}/bid", json={"interest": interest}).status_code


def _join(factory: Factory, organisation_id: int, user_id: int) -> None:
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation_id, user_id=user_id, role=OrganisationRole.member
            )
        )


def _open_reviews(factory: Factory, reviewer_ids: list[int]) -> dict[int, int]:
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(select(Assignment.reviewer_id)).all()
    return {r: rows.count(r) for r in reviewer_ids}


def test_expertise_round_trip(factory: Factory) -> None:
    member = factory.actor(Role.committee)
    body = {"sectors": ["software", "energy", "software"], "topics": [" LiDAR ", "lidar", "AI"]}
    response = member.api.put("/api/v1/me/expertise", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"sectors": ["energy", "software"], "topics": ["LiDAR", "AI"]}
    again = member.api.put("/api/v1/me/expertise", json={"sectors": ["fintech"], "topics": []})
    assert again.json() == {"sectors": ["fintech"], "topics": []}
    with factory.database.session_scope(write=False) as session:
        stored = session.get(Expertise, member.id)
        assert stored is not None
        assert (stored.sectors, stored.topics) == (["fintech"], [])
    unknown = member.api.put("/api/v1/me/expertise", json={"sectors": ["alchemy"], "topics": []})
    assert unknown.status_code == 422
    outsider = factory.actor()
    assert outsider.api.put("/api/v1/me/expertise", json=body).status_code == 403
    with factory.database.session_scope(write=False) as session:
        assert session.get(Expertise, outsider.id) is None


def test_open_applications_show_the_summary_only(factory: Factory) -> None:
    case = submitted(factory, full_name="Applicant Secretperson", email="secret@applicant.example")
    member = factory.actor(Role.committee)
    response = member.api.get(OPEN)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["id"] for item in items] == [case.application_id]
    item = items[0]
    assert set(item) == {
        "id",
        "organisation_name",
        "sector",
        "summary",
        "submitted_at",
        "interest",
    }
    assert item["summary"] == "Геоинформационная платформа для агрохолдингов"
    assert item["interest"] is None
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in ("Secretperson", "secret@applicant", "business-plan", "attachments", "Пять"):
        assert secret not in text
    # Bidding does not open the application itself nor its documents.
    assert member.api.get(case.url).status_code == 404

    assert _bid(member, case, "eager") == 200
    assert _bid(member, case, "willing") == 200
    assert member.api.get(OPEN).json()["items"][0]["interest"] == "willing"
    with factory.database.session_scope(write=False) as session:
        bids = session.execute(select(Bid.reviewer_id, Bid.interest)).all()
        assert [(r, str(i)) for r, i in bids] == [(member.id, "willing")]
    assert _bid(member, case, "keen") == 422


def test_bids_by_outsiders_after_assignment_or_with_a_conflict_are_refused(
    factory: Factory,
) -> None:
    case = submitted(factory)
    outsider = factory.actor()
    assert outsider.api.get(OPEN).status_code == 403
    assert _bid(outsider, case, "eager") == 403
    insider = factory.actor(Role.committee)
    _join(factory, case.organisation.id, insider.id)
    assert insider.api.get(OPEN).json()["items"] == []
    assert _bid(insider, case, "eager") == 409
    member = factory.actor(Role.committee)
    assert (
        member.api.put("/api/v1/applications/999999/bid", json={"interest": "eager"}).status_code
        == 404
    )
    staff = factory.actor(Role.staff)
    assigned = staff.api.post(f"{case.url}/assignments", json={"reviewer_id": member.id})
    assert assigned.status_code == 201
    late = factory.actor(Role.committee)
    assert late.api.get(OPEN).json()["items"] == []
    refused = late.api.put(f"{case.url}/bid?lang=en", json={"interest": "eager"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Bids are closed: reviewers have been assigned."
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(Bid)).all() == []


def test_auto_assignment_follows_bids_and_expertise_and_skips_conflicts(factory: Factory) -> None:
    first = submitted(factory)
    second = submitted(factory)
    members = [factory.actor(Role.committee) for _ in range(5)]
    eager, willing, expert, unable, conflicted = members
    # `expert` knows the sector of both applications and a topic in their summary.
    expert.api.put(
        "/api/v1/me/expertise", json={"sectors": ["software"], "topics": ["агрохолдинг"]}
    )
    assert _bid(eager, first, "eager") == 200
    assert _bid(willing, first, "willing") == 200
    assert _bid(unable, first, "unable") == 200
    assert _bid(unable, second, "unable") == 200
    _join(factory, first.organisation.id, conflicted.id)
    _join(factory, second.organisation.id, conflicted.id)

    applicant = first.applicant
    assert applicant.api.post(AUTO, json={}).status_code == 403
    assert members[0].api.post(AUTO, json={}).status_code == 403
    chair = factory.actor(Role.chair)
    response = chair.api.post(AUTO, json={"per_application": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["optimal"] is True
    assert body["objective"] == body["bound"]
    pairs = {(p["application_id"], p["reviewer_id"]) for p in body["assignments"]}
    assert all(reviewer not in (unable.id, conflicted.id) for _a, reviewer in pairs)
    assert {r for a, r in pairs if a == first.application_id} == {eager.id, willing.id, expert.id}
    # Three eligible reviewers for three places on each: all are taken, loads are equal.
    assert {r for a, r in pairs if a == second.application_id} == {eager.id, willing.id, expert.id}
    assert body["unfilled"] == []
    with factory.database.session_scope(write=False) as session:
        rows = set(session.execute(select(Assignment.application_id, Assignment.reviewer_id)))
        assert rows == pairs
        audit = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "application.reviewer_assigned")
        ).all()
        assert len(audit) == 6
        notices = session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.recipient_id == expert.id)
        ).all()
        assert notices.count("membership.assignment") == 2
    for case in (first, second):
        assert case.applicant.api.get(case.url).json()["status"] == "under_review"
    # Nothing is left to assign.
    again = chair.api.post(AUTO, json={})
    assert again.json() == {
        "assignments": [],
        "objective": 0.0,
        "bound": 0.0,
        "optimal": True,
        "unfilled": [],
    }


def test_auto_assignment_keeps_loads_within_one_and_reports_what_it_cannot_fill(
    factory: Factory,
) -> None:
    cases = [submitted(factory) for _ in range(4)]
    members = [factory.actor(Role.committee) for _ in range(5)]
    # Only two members may review the last application: it stays one short.
    for member in members[2:]:
        _join(factory, cases[-1].organisation.id, member.id)
    staff = factory.actor(Role.staff)
    response = staff.api.post(
        f"{AUTO}?lang=en",
        json={"application_ids": [c.application_id for c in cases], "per_application": 3},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unfilled"] == [
        {
            "application_id": cases[-1].application_id,
            "reason": "too_few_eligible",
            "missing": 1,
            "detail": "Too few committee members may review it (conflicts, bids).",
        }
    ]
    assert len(body["assignments"]) == 11
    loads = _open_reviews(factory, [m.id for m in members])
    assert max(loads.values()) - min(loads.values()) <= 1
    assert sum(loads.values()) == 11

    unknown = staff.api.post(AUTO, json={"application_ids": [999999]})
    assert unknown.status_code == 404
    # An application that has its reviewers already is no longer submitted: nothing to do.
    refused = staff.api.post(AUTO, json={"application_ids": [cases[0].application_id]})
    assert refused.status_code == 200
    assert refused.json()["assignments"] == []


def test_auto_assignment_of_a_draft_is_refused(factory: Factory) -> None:
    from tests.membership.helpers import draft

    case = draft(factory)
    factory.actor(Role.committee)
    staff = factory.actor(Role.staff)
    response = staff.api.post(AUTO, json={"application_ids": [case.application_id]})
    assert response.status_code == 409
    assert staff.api.post(AUTO, json={"per_application": 0}).status_code == 422


def test_per_application_auto_assignment_takes_the_eager_bidder(factory: Factory) -> None:
    case = submitted(factory)
    members = [factory.actor(Role.committee) for _ in range(5)]
    assert _bid(members[4], case, "eager") == 200
    assert _bid(members[0], case, "unable") == 200
    staff = factory.actor(Role.staff)
    response = staff.api.post(f"{case.url}/assignments", json={"auto": True})
    assert response.status_code == 201, response.text
    assigned = {a["reviewer_id"] for a in response.json()["assignments"]}
    assert len(assigned) == 3
    assert members[4].id in assigned
    assert members[0].id not in assigned


def test_expertise_and_bids_pages_in_russian_and_english(factory: Factory) -> None:
    from tests.html import Page

    case = submitted(factory)
    member = factory.actor(Role.committee, browser=True)
    browser = member.browser
    assert browser is not None
    links = {link.href for link in Page(browser.get("/").text).links()}
    assert "/committee/bids" in links  # the menu and the workspace
    bids_links = {link.href for link in Page(browser.get("/committee/bids").text).links()}
    assert "/committee/expertise" in bids_links

    page = browser.get("/committee/expertise")
    assert page.status_code == 200
    assert "Моя экспертиза" in page.text
    csrf = Page(page.text).csrf_token
    saved = browser.post(
        "/committee/expertise",
        data={
            "csrf_token": csrf,
            "sectors": ["software", "energy"],
            "topics": "LiDAR, ИИ\nаккумуляторы",
        },
    )
    assert saved.status_code == 303
    with factory.database.session_scope(write=False) as session:
        stored = session.get(Expertise, member.id)
        assert stored is not None
        assert (stored.sectors, stored.topics) == (
            ["energy", "software"],
            ["LiDAR", "ИИ", "аккумуляторы"],
        )
    english = browser.get("/committee/expertise?lang=en")
    assert "My expertise" in english.text
    assert 'value="energy" checked' in english.text

    bids = browser.get("/committee/bids")
    assert bids.status_code == 200
    assert "Заявки, открытые для выбора экспертами" in bids.text
    assert "Геоинформационная платформа для агрохолдингов" in bids.text
    assert "Пять инженеров" not in bids.text  # the team section is not shown
    assert "business-plan" not in bids.text
    csrf = Page(bids.text).csrf_token
    placed = browser.post(
        f"/committee/bids/{case.application_id}", data={"csrf_token": csrf, "interest": "eager"}
    )
    assert placed.status_code == 303
    with factory.database.session_scope(write=False) as session:
        assert [str(b.interest) for b in session.scalars(select(Bid))] == ["eager"]
    english = browser.get("/committee/bids?lang=en")
    assert "Applications open for bids" in english.text
    assert "Eager to review" in english.text
    assert (
        f'id="bid-{case.application_id}-eager" name="interest" type="radio" value="eager" checked'
        in english.text
    )

    outsider = factory.actor(browser=True)
    assert outsider.browser is not None
    assert outsider.browser.get("/committee/bids").status_code == 403
    assert outsider.browser.get("/committee/expertise").status_code == 403
    assert "/committee/bids" not in outsider.browser.get("/").text


def test_the_members_export_holds_their_expertise_and_bids(factory: Factory) -> None:
    case = submitted(factory)
    member = factory.actor(Role.committee)
    member.api.put("/api/v1/me/expertise", json={"sectors": ["energy"], "topics": ["LiDAR"]})
    assert _bid(member, case, "willing") == 200
    export = member.api.get("/api/v1/me/export").json()
    text = json.dumps(export, ensure_ascii=False)
    assert '"sectors": ["energy"]' in text
    assert '"topics": ["LiDAR"]' in text
    assert f'"application_id": {case.application_id}, "interest": "willing"' in text


def test_the_board_assigns_every_submitted_application_at_once(factory: Factory) -> None:
    from tests.html import Page

    cases = [submitted(factory) for _ in range(2)]
    members = [factory.actor(Role.committee) for _ in range(4)]
    chair = factory.actor(Role.chair, browser=True)
    assert chair.browser is not None
    board = Page(chair.browser.get("/applications").text)
    form = board.form("/committee/auto-assign")
    assert "Назначить экспертов всем поданным заявкам" in form.element.text
    done = chair.browser.post("/committee/auto-assign", data={"csrf_token": board.csrf_token})
    assert done.status_code == 303
    page = Page(chair.browser.get(done.headers["location"]).text)
    assert "Назначено экспертов: 6." in page.flashes
    assert max(_open_reviews(factory, [m.id for m in members]).values()) == 2
    for case in cases:
        assert case.applicant.api.get(case.url).json()["status"] == "under_review"
    member = factory.actor(Role.committee, browser=True)
    assert member.browser is not None
    assert "/committee/auto-assign" not in member.browser.get("/applications").text
