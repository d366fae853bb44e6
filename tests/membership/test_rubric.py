"""The review rubric per track: staff replace the criteria, applications keep the version they
were submitted under, each review records the version it used."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import Role
from app.audit import AuditEntry
from app.membership.models import Application, Review, RubricVersion
from tests.factories import Factory
from tests.html import Page
from tests.membership.helpers import GOOD_REVIEW, under_review

URL = "/api/v1/review-criteria"
NEW_CRITERIA = [
    {
        "key": "product",
        "label": "Продукт",
        "label_en": "Product",
        "weight": 3,
        "description": "Готовность продукта",
    },
    {"key": "traction", "label": "Выручка", "label_en": "Traction", "weight": 1},
]


def _reviews_table(page: Page) -> list[list[str]]:
    return next(table for table in page.tables if "Weighted" in table[0])


def _criterion(**changes: Any) -> dict[str, Any]:
    return {**NEW_CRITERIA[0], **changes}


def _versions(factory: Factory) -> list[tuple[str, list[str]]]:
    with factory.database.session_scope(write=False) as session:
        return [
            (str(v.track), [c["key"] for c in v.criteria])
            for v in session.scalars(select(RubricVersion).order_by(RubricVersion.id))
        ]


def test_staff_replace_the_criteria_and_bad_rubrics_are_refused(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    stored = _versions(factory)  # the migration's first version, or none in an emptied database
    current = staff.api.get(URL)
    assert current.status_code == 200
    body = current.json()
    assert [c["key"] for c in body["items"]] == ["innovation", "team", "market", "cluster_fit"]
    assert [c["weight"] for c in body["items"]] == [0.3, 0.3, 0.2, 0.2]
    assert body["items"][0]["label_en"] == "Innovation" and body["total"] == 4

    anonymous = factory.client()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.put(URL, json=NEW_CRITERIA).status_code == 401
    assert factory.actor().api.get(URL).status_code == 403
    assert factory.actor(Role.committee).api.get(URL).status_code == 200
    for role in (Role.committee, Role.chair):
        refused = factory.actor(role).api.put(URL, json=NEW_CRITERIA)
        assert refused.status_code == 403, refused.text

    bad_rubrics = {
        "empty": [],
        "duplicate key": [_criterion(), _criterion(label="Другой")],
        "key not a slug": [_criterion(key="Market size")],
        "reserved key": [_criterion(key="comment")],
        "missing English label": [_criterion(label_en="  ")],
        "negative weight": [_criterion(weight=2), _criterion(key="team", weight=-1)],
        "weights sum to zero": [_criterion(weight=0), _criterion(key="team", weight=0)],
        "weight no number": [_criterion(weight="heavy")],
    }
    for name, criteria in bad_rubrics.items():
        refused = staff.api.put(URL, json=criteria)
        assert refused.status_code == 422, name
        assert refused.json()["detail"][0]["loc"][0] == "body", name
    assert _versions(factory) == stored  # nothing stored by the reads and refusals

    saved = staff.api.put(URL, json=NEW_CRITERIA)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert [(c["key"], c["weight"]) for c in body["items"]] == [("product", 3.0), ("traction", 1.0)]
    assert body["items"][1]["description"] == "" and body["track"] == "membership"
    assert staff.api.get(URL).json()["version"] == body["version"]
    assert _versions(factory) == [*stored, ("membership", ["product", "traction"])]
    with factory.database.session_scope(write=False) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rubric.changed")
        ).one()
        assert (entry.actor_id, entry.entity_id) == (staff.id, str(body["version"]))
        assert entry.data["weights"] == {"product": 3.0, "traction": 1.0}


def test_incubation_follows_the_membership_rubric_until_it_has_its_own(
    factory: Factory,
) -> None:
    staff = factory.actor(Role.staff)
    assert staff.api.get(URL, params={"track": "incubation"}).json()["track"] == "membership"
    own = staff.api.put(URL, params={"track": "incubation"}, json=NEW_CRITERIA)
    assert own.status_code == 200 and own.json()["track"] == "incubation"
    assert (
        staff.api.get(URL, params={"track": "incubation"}).json()["version"]
        == (own.json()["version"])
    )
    membership = staff.api.get(URL).json()
    assert membership["items"][0]["key"] == "innovation"
    assert staff.api.get(URL, params={"track": "other"}).status_code == 422


def test_applications_keep_the_rubric_they_were_submitted_under(factory: Factory) -> None:
    before = under_review(factory, reviewers=1)
    staff = factory.actor(Role.staff)
    changed = staff.api.put(URL, json=NEW_CRITERIA)
    assert changed.status_code == 200
    new_version = changed.json()["version"]
    after = under_review(factory, reviewers=1)
    old_reviewer, new_reviewer = before.reviewers[0], after.reviewers[0]

    # Scores are checked against the application's own version.
    new_scores = {**GOOD_REVIEW, "scores": {"product": 5, "traction": 1}}
    assert old_reviewer.api.put(f"{before.url}/reviews/mine", json=new_scores).status_code == 422
    refused = new_reviewer.api.put(f"{after.url}/reviews/mine", json=GOOD_REVIEW)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "scores"]
    partial = {**GOOD_REVIEW, "scores": {"product": 5}}
    assert new_reviewer.api.put(f"{after.url}/reviews/mine", json=partial).status_code == 422

    old = old_reviewer.api.put(f"{before.url}/reviews/mine", json=GOOD_REVIEW)
    new = new_reviewer.api.put(f"{after.url}/reviews/mine", json=new_scores)
    assert old.status_code == 200 and new.status_code == 200, new.text
    assert old.json()["weighted_score"] == 4.5  # 5·0.3 + 4·0.3 + 4·0.2 + 5·0.2
    assert new.json()["weighted_score"] == 4.0  # (5·3 + 1·1) / 4
    assert old.json()["rubric_version"] != new_version == new.json()["rubric_version"]
    with factory.database.session_scope(write=False) as session:
        recorded = dict(
            session.execute(
                select(Review.scores["product"].as_integer(), Review.rubric_version_id)
            ).all()
        )
        applications = dict(
            session.execute(select(Application.id, Application.rubric_version_id)).all()
        )
    assert recorded == {None: old.json()["rubric_version"], 5: new_version}
    assert applications == {
        before.application_id: old.json()["rubric_version"],
        after.application_id: new_version,
    }

    # The review forms and the tables show each application's criteria, in the viewer's language.
    old_form = Page(old_reviewer.api.get(f"/applications/{before.application_id}?lang=en").text)
    assert [s.get("name") for s in old_form.find_all("select")][:4] == [
        "innovation",
        "team",
        "market",
        "cluster_fit",
    ]
    new_form = Page(new_reviewer.api.get(f"/applications/{after.application_id}").text)
    assert [s.get("name") for s in new_form.find_all("select")][:2] == ["product", "traction"]
    assert "Продукт" in new_form.text and "Готовность продукта" in new_form.text
    assert before.chair is not None and after.chair is not None
    board = Page(after.chair.api.get(f"/applications/{after.application_id}?lang=en").text)
    assert _reviews_table(board)[0][:3] == ["Reviewer", "Product", "Traction"]
    assert _reviews_table(board)[1][1:4] == ["5", "1", "4.00"]
    old_board = Page(before.chair.api.get(f"/applications/{before.application_id}?lang=en").text)
    assert _reviews_table(old_board)[0][1:5] == ["Innovation", "Team", "Market", "Cluster fit"]

    # The board's weighted means use each review's own weights.
    means = {
        item["id"]: item["aggregate"]["weighted_mean"]
        for item in after.chair.api.get("/api/v1/applications").json()["items"]
    }
    assert means == {before.application_id: 4.5, after.application_id: 4.0}


def test_reviewer_scores_the_new_criteria_through_the_form(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    assert staff.api.put(URL, json=NEW_CRITERIA).status_code == 200
    case = under_review(factory, reviewers=0)
    reviewer = factory.actor(Role.committee, browser=True)
    assert case.staff is not None
    assigned = case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})
    assert assigned.status_code == 201
    assert reviewer.api.post(f"{case.url}/declaration", json={"conflict": False}).status_code == 200
    browser = reviewer.browser
    assert browser is not None
    page_url = f"/applications/{case.application_id}"
    token = Page(browser.get(page_url).text).csrf_token
    form = {"csrf_token": token, "recommendation": "approve", "comment": "Хорошо"}
    refused = browser.post(f"{page_url}/review", data={**form, "product": "5", "team": "3"})
    assert refused.status_code == 303
    assert Page(browser.get(page_url).text).flashes[0].startswith("Поставьте каждому критерию")
    saved = browser.post(f"{page_url}/review", data={**form, "product": "4", "traction": "2"})
    assert saved.status_code == 303
    with factory.database.session_scope(write=False) as session:
        review = session.scalars(select(Review)).one()
        assert review.scores == {"product": 4, "traction": 2}
        assert review.rubric_version.criteria[0]["label_en"] == "Product"


def test_staff_edit_the_criteria_on_their_page(factory: Factory) -> None:
    staff = factory.actor(Role.staff, browser=True)
    browser = staff.browser
    assert browser is not None
    page = Page(browser.get("/committee/criteria?lang=en").text)
    assert page.find("input", name="0.key").get("value") == "innovation"
    assert page.find("input", name="3.label_en").get("value") == "Cluster fit"
    assert page.find("input", name="4.key").get("value") == ""  # a row to add a criterion
    token = page.csrf_token
    typed = {
        "csrf_token": token,
        "0.key": "innovation",
        "0.label": "Инновационность",
        "0.label_en": "Innovation",
        "0.weight": "2",
        "1.key": "team",
        "1.label": "Команда",
        "1.label_en": "Team",
        "1.weight": "-1",
        "1.description": "Опыт команды",
        "2.key": "market",
        "2.label": "Рынок",
        "2.label_en": "Market",
        "2.weight": "1",
        "2.remove": "on",
        "4.key": "traction",
        "4.label": "Выручка",
        "4.label_en": "",
        "4.weight": "0,5",
    }
    stored = _versions(factory)
    refused = browser.post("/committee/criteria", data=typed)
    assert refused.status_code == 422
    shown = Page(refused.text)
    assert shown.find("input", name="1.weight").get("value") == "-1"
    assert shown.find("textarea", name="1.description").text == "Опыт команды"
    assert shown.find("input", name="2.key").get("value") == "traction"  # market removed
    errors = [e.text for e in shown.find_all(class_="field-error")]
    assert errors == ["Вес — число от 0 до 1000.", "Укажите название критерия на обоих языках."]
    assert _versions(factory) == stored

    fixed = {**typed, "1.weight": "1", "4.label_en": "Traction"}
    saved = browser.post("/committee/criteria", data=fixed)
    assert saved.status_code == 303
    assert _versions(factory) == [*stored, ("membership", ["innovation", "team", "traction"])]
    page = Page(browser.get("/committee/criteria").text)
    assert page.flashes == [
        "Критерии сохранены; они действуют для заявок, поданных с этого момента."
    ]
    assert page.find("input", name="2.weight").get("value") == "0.5"
    assert "/committee/criteria" in [link.href for link in page.links()]
