"""Competitors and shareholders named by the applicant make their people conflicted reviewers."""

from __future__ import annotations

from app.accounts.identifiers import inn_with_check_digits
from app.accounts.models import OrganisationMember, OrganisationRole, Role
from tests.factories import Actor, Factory
from tests.membership.helpers import SECTIONS, Case, attach_business_plan


def _join(factory: Factory, organisation_id: int, user: Actor) -> None:
    with factory.database.session_scope() as session:
        session.add(
            OrganisationMember(
                organisation_id=organisation_id, user_id=user.id, role=OrganisationRole.member
            )
        )


def _apply(factory: Factory, **parties: list[int | str]) -> tuple[Actor, str]:
    applicant = factory.actor()
    organisation = factory.organisation(applicant.user, name="ГеоСкан")
    response = applicant.api.post(
        "/api/v1/applications",
        json={"organisation_id": organisation.id, **SECTIONS, **parties},
    )
    assert response.status_code == 201, response.text
    url = f"/api/v1/applications/{response.json()['id']}"
    attach_business_plan(Case(applicant, organisation, response.json()["id"]))
    assert applicant.api.post(f"{url}/submit").status_code == 200
    return applicant, url


def test_reviewers_from_named_competitor_and_shareholder_are_skipped_and_refused(
    factory: Factory,
) -> None:
    rival_owner = factory.actor()
    rival = factory.organisation(rival_owner.user, name="Конкурент")
    investor_owner = factory.actor()
    investor = factory.organisation(investor_owner.user, name="Акционер")
    not_yet_registered_inn = inn_with_check_digits("540299999")
    applicant, url = _apply(
        factory,
        competitors=[rival.id, not_yet_registered_inn],
        shareholders=[investor.inn],
    )
    staff = factory.actor(Role.staff)
    at_rival = factory.actor(Role.committee, full_name="Rival Reviewer")
    at_investor = factory.actor(Role.committee, full_name="Investor Reviewer")
    late = factory.actor(Role.committee, full_name="Late Reviewer")
    free = [factory.actor(Role.committee) for _ in range(3)]
    _join(factory, rival.id, at_rival)
    _join(factory, investor.id, at_investor)
    # an organisation registered after the application is matched by its INN
    late_org = factory.organisation(late.user, name="Поздний")
    with factory.database.session_scope() as session:
        from app.accounts.models import Organisation

        row = session.get(Organisation, late_org.id)
        assert row is not None
        row.inn = not_yet_registered_inn

    body = applicant.api.get(url).json()
    assert body["competitors"] == [rival.inn, not_yet_registered_inn]
    assert body["shareholders"] == [investor.inn]

    refused = staff.api.post(f"{url}/assignments", json={"reviewer_id": at_rival.id})
    assert refused.status_code == 409
    assert "конкурентом" in refused.json()["detail"]
    refused = staff.api.post(f"{url}/assignments?lang=en", json={"reviewer_id": at_investor.id})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "The reviewer belongs to an organisation the applicant named as a shareholder."
    )
    assert staff.api.post(f"{url}/assignments", json={"reviewer_id": late.id}).status_code == 409

    response = staff.api.post(f"{url}/assignments", json={"auto": True})
    assert response.status_code == 201
    assigned = sorted(a["reviewer_id"] for a in response.json()["assignments"])
    assert assigned == sorted(a.id for a in free)


def test_named_parties_must_be_valid_and_not_the_applicant(factory: Factory) -> None:
    applicant = factory.actor()
    organisation = factory.organisation(applicant.user)
    for parties, field in (
        ({"competitors": ["1234567890"]}, "competitors"),
        ({"shareholders": [999999]}, "shareholders"),
        ({"competitors": [organisation.inn]}, "competitors"),
        ({"competitors": ["ООО Ромашка"]}, "competitors"),
    ):
        response = applicant.api.post(
            "/api/v1/applications", json={"organisation_id": organisation.id, **parties}
        )
        assert response.status_code == 422, (parties, response.text)
        assert response.json()["detail"][0]["loc"][-1] == field
    assert applicant.api.get("/api/v1/applications").json()["total"] == 0


def test_applicant_edits_named_parties_while_a_draft(factory: Factory) -> None:
    applicant = factory.actor()
    organisation = factory.organisation(applicant.user)
    rival = factory.organisation(factory.actor().user)
    created = applicant.api.post(
        "/api/v1/applications", json={"organisation_id": organisation.id}
    ).json()
    url = f"/api/v1/applications/{created['id']}"
    response = applicant.api.patch(url, json={"competitors": [str(rival.id)]})
    assert response.status_code == 200
    assert (response.json()["competitors"], response.json()["shareholders"]) == ([rival.inn], [])
    response = applicant.api.patch(url, json={"competitors": []})
    assert response.json()["competitors"] == []
