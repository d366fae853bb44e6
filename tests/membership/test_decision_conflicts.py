"""A chair with a conflict of interest neither decides the application nor breaks the board."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import OrganisationMember, OrganisationRole, Role, UserRole
from app.membership.models import ApplicationEvent, ApplicationParty, Membership, PartyRelation
from app.notifications.models import OutboxMessage
from tests.factories import Actor, Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import decide, reviewed, submitted


def _join(factory: Factory, organisation_id: int, user: Actor) -> None:
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation_id, user_id=user.id, role=OrganisationRole.member
            )
        )


def _add_role(factory: Factory, user: Actor, role: Role) -> None:
    with factory.database.session_scope() as session:
        session.add(UserRole(user_id=user.id, role=role))


def test_board_of_a_chair_whose_organisation_applies_lists_its_row_without_the_review(
    factory: Factory,
) -> None:
    """The board once answered 500: its columns followed the viewer's role while each row's
    data followed the viewer's relation to the application (no aggregate for their own)."""
    other = reviewed(factory)
    own = submitted(factory)
    chair = own.applicant  # owner of an applying organisation, and chair
    _add_role(factory, chair, Role.chair)

    board = chair.api.get("/applications?lang=en")
    assert board.status_code == 200
    cells = Page(board.text).table_rows()[1:]  # both organisations are called ГеоСкан
    assert sorted(row[1] for row in cells) == ["Submitted", "Under review"]
    own_row = next(row for row in cells if row[1] == "Submitted")
    other_row = next(row for row in cells if row[1] == "Under review")
    assert own_row[3] == "Your organisation's application: its review is not shown to you."
    assert other_row[3:8] == ["3/3", "4.50", "4.50", "4.50", "0.00"]

    listing = chair.api.get("/api/v1/applications").json()
    assert listing["total"] == 2
    by_id = {item["id"]: item for item in listing["items"]}
    assert "aggregate" not in by_id[own.application_id]
    assert by_id[other.application_id]["aggregate"]["reviews"] == 3

    export = chair.api.get("/applications?format=csv")
    assert export.status_code == 200
    assert export.text.count("ГеоСкан") == 2


def test_queue_of_a_committee_member_who_applies_shows_their_own_application(
    factory: Factory,
) -> None:
    own = submitted(factory)
    _add_role(factory, own.applicant, Role.committee)
    queue = own.applicant.api.get("/applications?lang=en")
    assert queue.status_code == 200
    rows = Page(queue.text).table_rows()
    assert rows[1][:2] == ["ГеоСкан", "Submitted"]
    assert rows[1][3] == "Your organisation's application: its review is not shown to you."


def _state(factory: Factory, case_url: str, applicant: Actor) -> tuple[str, int, int, int]:
    """Status, memberships, decision letters and decision events: what a decision changes."""
    with factory.database.session_scope(write=False) as session:
        memberships = session.scalar(select(func.count()).select_from(Membership)) or 0
        letters = (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "membership.decision")
            )
            or 0
        )
        decided = (
            session.scalar(
                select(func.count())
                .select_from(ApplicationEvent)
                .where(
                    ApplicationEvent.to_status.in_(["approved", "rejected", "changes_requested"])
                )
            )
            or 0
        )
    return applicant.api.get(case_url).json()["status"], memberships, letters, decided


def test_a_chair_of_the_applying_organisation_cannot_decide_another_chair_can(
    factory: Factory,
) -> None:
    case = reviewed(factory)
    conflicted = case.chair
    assert conflicted is not None
    _join(factory, case.organisation.id, conflicted)
    other = factory.actor(Role.chair, full_name="Second Chair")
    body = {"decision": "approved", "reason": "Strong team"}

    refused = conflicted.api.post(f"{case.url}/decision?lang=en", json=body)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "You belong to the applying organisation, so another chair decides."
    )
    assert _state(factory, case.url, case.applicant) == ("under_review", 0, 0, 0)

    decided = other.api.post(f"{case.url}/decision", json=body)
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert _state(factory, case.url, case.applicant) == ("approved", 1, 1, 1)


def test_chairs_from_named_parties_or_with_a_declared_conflict_cannot_decide(
    factory: Factory,
) -> None:
    rival_owner = factory.actor()
    rival = factory.organisation(rival_owner.user, name="Конкурент")
    investor_owner = factory.actor()
    investor = factory.organisation(investor_owner.user, name="Акционер")
    case = reviewed(factory)
    response = case.applicant.api.patch(case.url, json={"competitors": [rival.id]})
    assert response.status_code == 409  # under review: the parties are named while a draft
    with factory.database.session_scope() as session:
        session.add_all(
            [
                ApplicationParty(
                    application_id=case.application_id,
                    relation=PartyRelation.competitor,
                    inn=rival.inn,
                    organisation_id=rival.id,
                ),
                ApplicationParty(
                    application_id=case.application_id,
                    relation=PartyRelation.shareholder,
                    inn=investor.inn,
                ),
            ]
        )
    at_rival = factory.actor(Role.chair)
    at_investor = factory.actor(Role.chair)
    _join(factory, rival.id, at_rival)
    _join(factory, investor.id, at_investor)  # matched by INN: the party names no portal id
    declared = factory.actor(Role.chair)
    assert case.staff is not None
    assigned = case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": declared.id})
    assert assigned.status_code == 201
    declared.api.post(
        f"{case.url}/declaration",
        json={"conflict": True, "kind": "personal", "reason": "My brother founded it"},
    )
    body = {"decision": "rejected", "reason": "Weak market"}
    expected = {
        at_rival.id: "You belong to an organisation the applicant named as a competitor, "
        "so another chair decides.",
        at_investor.id: "You belong to an organisation the applicant named as a shareholder, "
        "so another chair decides.",
        declared.id: "You declared a conflict of interest with this application, "
        "so another chair decides.",
    }
    for chair in (at_rival, at_investor, declared):
        refused = chair.api.post(f"{case.url}/decision?lang=en", json=body)
        assert refused.status_code == 403
        assert refused.json()["detail"] == expected[chair.id]
    ru = at_rival.api.post(f"{case.url}/decision?lang=ru", json=body)
    assert "конкурент" in ru.json()["detail"]
    assert _state(factory, case.url, case.applicant) == ("under_review", 0, 0, 0)
    assert decide(case, decision="rejected").status_code == 200  # the chair free of conflicts


def test_the_page_names_who_may_decide_and_refuses_a_conflicted_chair(factory: Factory) -> None:
    case = reviewed(factory, locale="en")
    assert case.chair is not None and case.staff is not None
    conflicted = factory.actor(Role.chair, browser=True, full_name="Conflicted Chair", locale="en")
    assert conflicted.browser is not None
    case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": conflicted.id})
    conflicted.api.post(
        f"{case.url}/declaration",
        json={"conflict": True, "kind": "board", "reason": "I sit on its board"},
    )
    page_url = f"/applications/{case.application_id}?lang=en"

    staff_page = case.staff.api.get(page_url).text
    assert "Who may decide: Chair Person." in staff_page
    assert f'action="/applications/{case.application_id}/decision"' not in staff_page
    free_chair_page = case.chair.api.get(page_url).text
    assert "Who may decide: Chair Person." in free_chair_page
    decision_form = Page(free_chair_page).form(f"/applications/{case.application_id}/decision")
    assert decision_form.method == "post"
    assert {"csrf_token", "decision", "reason"} <= decision_form.fields.keys()

    page = conflicted.browser.get(page_url)
    assert f'action="/applications/{case.application_id}/decision"' not in page.text
    assert (
        "You declared a conflict of interest with this application, so another chair decides."
        in page.text
    )
    response = conflicted.browser.post(
        f"/applications/{case.application_id}/decision",
        data={
            "decision": "approved",
            "reason": "Looks fine",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 303
    [refusal] = Page(conflicted.browser.get(page_url).text).find_all(class_="flash-error")
    assert refusal.text.endswith("so another chair decides.")
    assert _state(factory, case.url, case.applicant) == ("under_review", 0, 0, 0)

    # the applicant sees neither the chairs' names nor the conflict
    applicant_page = case.applicant.api.get(page_url).text
    assert "Who may decide" not in applicant_page and "Chair Person" not in applicant_page


def test_the_page_says_when_no_chair_is_free_of_conflicts(factory: Factory) -> None:
    case = reviewed(factory, locale="en")
    assert case.chair is not None and case.staff is not None
    _join(factory, case.organisation.id, case.chair)
    page = case.staff.api.get(f"/applications/{case.application_id}?lang=en").text
    assert (
        "No chair is free of conflicts of interest with this application: it cannot be decided "
        "until one is." in page
    )
    chair_page = case.chair.api.get(f"/applications/{case.application_id}?lang=en").text
    assert "You belong to the applying organisation, so another chair decides." in chair_page
    assert f'action="/applications/{case.application_id}/decision"' not in chair_page
