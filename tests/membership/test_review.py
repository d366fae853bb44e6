"""Assignments, declarations, reviews, quorum, decisions and appeals."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from app.accounts.models import Role, UserRole
from app.audit import AuditEntry
from app.db import utcnow
from app.membership.models import Application, Assignment, Membership, Review, ReviewVersion
from app.notifications.models import OutboxMessage
from tests.factories import Factory
from tests.membership.helpers import GOOD_REVIEW, decide, reviewed, submitted, under_review


def _assigned(factory: Factory) -> list[int]:
    """The reviewers assigned, in the order they were."""
    with factory.database.session_scope(write=False) as session:
        return list(session.scalars(select(Assignment.reviewer_id).order_by(Assignment.id)))


def test_first_assignment_starts_the_review(factory: Factory) -> None:
    case = under_review(factory, reviewers=1)
    assert case.applicant.api.get(case.url).json()["status"] == "under_review"


def test_only_staff_or_chair_assign(factory: Factory) -> None:
    case = submitted(factory)
    reviewer = factory.actor(Role.committee)
    assert (
        case.applicant.api.post(
            f"{case.url}/assignments", json={"reviewer_id": reviewer.id}
        ).status_code
        == 403
    )
    chair = factory.actor(Role.chair)
    assert (
        chair.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id}).status_code
        == 201
    )
    again = chair.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})
    assert again.status_code == 409
    assert again.json()["detail"] == "Этот эксперт уже назначен."
    assert _assigned(factory) == [reviewer.id]
    assert case.applicant.api.get(case.url).json()["status"] == "under_review"


def test_a_member_of_the_applying_organisation_cannot_be_assigned(factory: Factory) -> None:
    case = submitted(factory)
    staff = factory.actor(Role.staff)
    response = staff.api.post(f"{case.url}/assignments", json={"reviewer_id": case.applicant.id})
    assert response.status_code == 422  # the applicant is not a committee member at all
    with factory.database.session_scope() as session:
        from app.accounts.models import UserRole

        session.add(UserRole(user_id=case.applicant.id, role=Role.committee))
    response = staff.api.post(f"{case.url}/assignments", json={"reviewer_id": case.applicant.id})
    assert response.status_code == 409
    assert response.json()["detail"] == "Эксперт состоит в организации-заявителе."
    assert _assigned(factory) == []
    assert case.applicant.api.get(case.url).json()["status"] == "submitted"


def test_auto_assignment_balances_open_reviews_and_skips_conflicts(factory: Factory) -> None:
    staff = factory.actor(Role.staff)
    busy = factory.actor(Role.committee)
    free = [factory.actor(Role.committee) for _ in range(3)]
    earlier = submitted(factory)
    staff.api.post(f"{earlier.url}/assignments", json={"reviewer_id": busy.id})

    case = submitted(factory)
    with factory.database.session_scope() as session:
        from app.accounts.models import OrganisationMember, OrganisationRole

        session.add(
            OrganisationMember(
                organisation_id=case.organisation.id,
                user_id=free[0].id,
                role=OrganisationRole.member,
            )
        )
    response = staff.api.post(f"{case.url}/assignments", json={"auto": True})
    assert response.status_code == 201
    assigned = sorted(a["reviewer_id"] for a in response.json()["assignments"])
    assert assigned == sorted([free[1].id, free[2].id, busy.id])


def test_declaring_a_conflict_needs_a_kind_and_reason(factory: Factory) -> None:
    case = under_review(factory, reviewers=0)
    reviewer = factory.actor(Role.committee)
    case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})  # type: ignore[union-attr]
    assert reviewer.api.post(f"{case.url}/declaration", json={"conflict": True}).status_code == 422
    assert (
        reviewer.api.post(
            f"{case.url}/declaration", json={"conflict": True, "kind": "friend", "reason": "x"}
        ).status_code
        == 422
    )
    with factory.database.session_scope(write=False) as session:
        declared = session.execute(select(Assignment.declared_at, Assignment.conflict)).all()
    assert declared == [(None, None)]


def test_an_unassigned_member_cannot_declare_or_review(factory: Factory) -> None:
    case = under_review(factory, reviewers=1)
    outsider = factory.actor(Role.committee)
    assert outsider.api.post(f"{case.url}/declaration", json={"conflict": False}).status_code == 404
    assert outsider.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW).status_code == 404
    assert outsider.api.get(f"{case.url}/reviews").status_code == 404
    assert _assigned(factory) == [case.reviewers[0].id]
    assert factory.count(Review) == 0


def test_review_needs_a_declaration_first(factory: Factory) -> None:
    case = under_review(factory, reviewers=0)
    reviewer = factory.actor(Role.committee)
    case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": reviewer.id})  # type: ignore[union-attr]
    refused = reviewer.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "Прежде чем оценивать заявку, задекларируйте конфликт интересов."
    )
    assert factory.count(Review) == 0


def test_scores_outside_one_to_five_are_invalid(factory: Factory) -> None:
    case = under_review(factory, reviewers=1)
    reviewer = case.reviewers[0]
    for bad in (0, 6):
        body = {**GOOD_REVIEW, "scores": {**GOOD_REVIEW["scores"], "market": bad}}  # type: ignore[dict-item]
        response = reviewer.api.put(f"{case.url}/reviews/mine", json=body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "scores", "market"]
    missing = {**GOOD_REVIEW, "scores": {"innovation": 3}}
    assert reviewer.api.put(f"{case.url}/reviews/mine", json=missing).status_code == 422


def test_a_reviewer_sees_other_reviews_only_after_submitting_their_own(factory: Factory) -> None:
    case = under_review(factory, reviewers=2)
    first, second = case.reviewers
    assert first.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW).status_code == 200
    assert second.api.get(f"{case.url}/reviews").status_code == 403
    assert first.api.get(f"{case.url}/reviews").json()["total"] == 1
    second.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
    assert second.api.get(f"{case.url}/reviews").json()["total"] == 2
    assert case.chair.api.get(f"{case.url}/reviews").json()["total"] == 2  # type: ignore[union-attr]


def test_editing_a_review_keeps_its_history(factory: Factory) -> None:
    case = under_review(factory, reviewers=1)
    reviewer = case.reviewers[0]
    reviewer.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
    changed = {**GOOD_REVIEW, "comment": "Second thoughts", "recommendation": "changes"}
    response = reviewer.api.put(f"{case.url}/reviews/mine", json=changed)
    assert response.status_code == 200
    assert response.json()["comment"] == "Second thoughts"
    assert response.json()["versions"] == 1
    with factory.database.session_scope(write=False) as session:
        versions = session.scalars(select(ReviewVersion)).all()
        assert [(v.comment, v.recommendation) for v in versions] == [
            ("Secret reviewer comment about the team", "approve")
        ]


def test_a_conflict_recuses_from_reviews_and_counts_out_of_the_quorum(factory: Factory) -> None:
    case = reviewed(factory, reviews=2)
    conflicted = factory.actor(Role.committee)
    case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": conflicted.id})  # type: ignore[union-attr]
    conflicted.api.post(
        f"{case.url}/declaration",
        json={"conflict": True, "kind": "competitor", "reason": "We compete"},
    )
    assert conflicted.api.get(f"{case.url}/reviews").status_code == 403
    assert conflicted.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW).status_code == 403
    assert decide(case).status_code == 409
    with factory.database.session_scope(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.actor_id == conflicted.id,
                AuditEntry.entity_type == "membership_application",
            )
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["application.recused", "application.reviews_refused"]


def test_decision_before_the_quorum_is_a_conflict(factory: Factory) -> None:
    case = reviewed(factory, reviews=2)
    assert decide(case).status_code == 409
    assert case.applicant.api.get(case.url).json()["status"] == "under_review"


def test_only_a_chair_decides_and_a_reason_is_required(factory: Factory) -> None:
    case = reviewed(factory)
    assert (
        case.staff.api.post(  # type: ignore[union-attr]
            f"{case.url}/decision", json={"decision": "approved", "reason": "ok"}
        ).status_code
        == 403
    )
    assert (
        case.chair.api.post(  # type: ignore[union-attr]
            f"{case.url}/decision", json={"decision": "approved", "reason": ""}
        ).status_code
        == 422
    )
    assert (
        case.chair.api.post(  # type: ignore[union-attr]
            f"{case.url}/decision", json={"decision": "maybe", "reason": "x"}
        ).status_code
        == 422
    )
    body = case.applicant.api.get(case.url).json()
    assert [event["status"] for event in body["timeline"]] == ["draft", "submitted", "under_review"]
    assert factory.count(Membership) == 0


def test_chair_board_shows_weighted_mean_median_and_disagreement(factory: Factory) -> None:
    case = under_review(factory, reviewers=3)
    scores = [
        {"innovation": 5, "team": 5, "market": 5, "cluster_fit": 5},
        {"innovation": 4, "team": 4, "market": 4, "cluster_fit": 4},
        {"innovation": 1, "team": 1, "market": 1, "cluster_fit": 1},
    ]
    for reviewer, score in zip(case.reviewers, scores, strict=True):
        reviewer.api.put(f"{case.url}/reviews/mine", json={**GOOD_REVIEW, "scores": score})
    aggregate = case.chair.api.get(case.url).json()["aggregate"]  # type: ignore[union-attr]
    assert aggregate == {
        "reviews": 3,
        "quorum": 3,
        "weighted_mean": 3.33,
        # One review each: every score moves a sixth of the way to the committee mean, 3.33.
        "normalised_mean": 3.33,
        "median": 4.0,
        "disagreement": 4.0,
        "high_disagreement": True,
    }


def test_approval_grants_a_membership_shown_in_the_register_and_verification(
    factory: Factory, client: object
) -> None:
    case = reviewed(factory)
    response = decide(case)
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    with factory.database.session_scope(write=False) as session:
        membership = session.scalar(select(Membership))
        assert membership is not None
        assert membership.organisation_id == case.organisation.id
        assert membership.number.startswith(f"CL-{membership.starts_on.year}-")
        assert (membership.expires_on - membership.starts_on).days == 365
        code, number = membership.verify_code, membership.number
    assert case.applicant.api.get(case.url).json()["membership_number"] == number

    register = client.get("/api/v1/members").json()  # type: ignore[attr-defined]
    assert register["total"] == 1
    item = register["items"][0]
    assert item["organisation_id"] == case.organisation.id
    assert item["name"] == "ГеоСкан"
    assert item["number"] == number
    assert item["status"] == "active"
    assert item["tier"] == "member"  # the membership track
    assert set(item) == {
        "organisation_id",
        "name",
        "number",
        "since",
        "status",
        "sector",
        "region",
        "tier",
    }
    assert client.get("/api/v1/members?sector=fintech").json()["total"] == 0  # type: ignore[attr-defined]
    assert client.get("/api/v1/members?sector=software").json()["total"] == 1  # type: ignore[attr-defined]

    page = client.get(f"/verify/{code}?lang=en")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "ГеоСкан" in page.text and number in page.text and "Active" in page.text
    assert client.get("/verify/unknown-code").status_code == 404  # type: ignore[attr-defined]


def test_the_applicant_never_sees_reviewer_names_scores_or_comments(factory: Factory) -> None:
    case = reviewed(factory, locale="en")
    decide(case, reason="Strong team and market")
    secrets_ = ["Secretname", "Secret reviewer comment", "Chair Person", "weighted", "scores"]
    body = case.applicant.api.get(case.url).text
    listing = case.applicant.api.get("/api/v1/applications").text
    assert case.applicant.api.get(f"{case.url}/reviews").status_code == 404
    with factory.database.session_scope(write=False) as session:
        mail = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == case.applicant.id,
                OutboxMessage.kind == "membership.decision",
            )
        ).all()
        assert len(mail) == 1
        assert "Strong team and market" in mail[0].body_text
        assert "is now a member" in mail[0].subject
        texts = [body, listing, mail[0].subject, mail[0].body_text, mail[0].body_html]
    for text in texts:
        for secret in secrets_:
            assert secret not in text, (secret, text[:200])


def test_the_decision_letter_is_in_the_applicants_language(factory: Factory) -> None:
    case = reviewed(factory, locale="ru")
    decide(case, decision="rejected", reason="Рынок не доказан")
    with factory.database.session_scope(write=False) as session:
        message = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.recipient_id == case.applicant.id,
                OutboxMessage.kind == "membership.decision",
            )
        )
        assert message is not None
        assert message.locale == "ru"
        assert "Рынок не доказан" in message.body_text
        assert "отклонил" in message.body_text


def _decision_letters(factory: Factory, applicant_id: int) -> list[tuple[str, str]]:
    with factory.database.session_scope(write=False) as session:
        return [
            (m.subject, m.body_text)
            for m in session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.recipient_id == applicant_id,
                    OutboxMessage.kind == "membership.decision",
                )
                .order_by(OutboxMessage.id)
            )
        ]


def test_changes_requested_then_resubmission_opens_a_new_round_to_a_decision(
    factory: Factory,
) -> None:
    case = reviewed(factory, locale="en")
    assert case.chair is not None and case.staff is not None
    assert decide(case, decision="changes_requested", reason="Уточните рынок").status_code == 200
    assert case.applicant.api.patch(case.url, json={"market": "Новый рынок"}).status_code == 200
    response = case.applicant.api.post(f"{case.url}/submit")
    assert response.status_code == 200
    # a new round with the same reviewers: the application is under review again
    assert response.json()["status"] == "under_review"
    assert [e["status"] for e in response.json()["timeline"]][-3:] == [
        "changes_requested",
        "submitted",
        "under_review",
    ]
    board = case.chair.api.get(case.url).json()
    assert board["review_round"] == 1
    new_round = [a for a in board["assignments"] if a["round"] == 1]
    assert sorted(a["reviewer_id"] for a in new_round) == sorted(r.id for r in case.reviewers)
    assert not any(a["declared"] or a["review_submitted"] for a in new_round)
    assert board["aggregate"]["reviews"] == 0  # the earlier reviews no longer count
    with factory.database.session_scope(write=False) as session:
        keys = [f"membership.assignment:{a['id']}" for a in new_round]
        told = session.execute(
            select(OutboxMessage.recipient_id, OutboxMessage.body_text).where(
                OutboxMessage.idempotency_key.in_(keys)
            )
        ).all()
    assert sorted(recipient for recipient, _ in told) == sorted(r.id for r in case.reviewers)
    assert all("подал её снова" in text for _, text in told)  # the reviewers read Russian
    for reviewer in case.reviewers:
        assert reviewer.api.get(f"{case.url}/reviews").status_code == 403  # review first
        queue = reviewer.api.get("/applications?queue=to_declare").text
        assert f"/applications/{case.application_id}" in queue

    # nobody is stuck: more reviewers are refused, the decision waits for the new quorum
    assert (
        case.staff.api.post(
            f"{case.url}/assignments", json={"reviewer_id": case.reviewers[0].id}
        ).status_code
        == 409
    )
    auto = case.staff.api.post(f"{case.url}/assignments", json={"auto": True})
    assert auto.status_code == 201
    assert len(auto.json()["assignments"]) == 6  # the round is full: nobody added
    assert decide(case).status_code == 409
    revised = {**GOOD_REVIEW, "comment": "Round two: the market is clear now"}
    for reviewer in case.reviewers[:2]:
        declared = reviewer.api.post(f"{case.url}/declaration", json={"conflict": False})
        assert declared.status_code == 200
        assert reviewer.api.put(f"{case.url}/reviews/mine", json=revised).status_code == 200
    assert decide(case).status_code == 409  # two of three in this round
    last = case.reviewers[2]
    last.api.post(f"{case.url}/declaration", json={"conflict": False})
    changed = {**revised, "scores": {"innovation": 3, "team": 3, "market": 3, "cluster_fit": 3}}
    assert last.api.put(f"{case.url}/reviews/mine", json=changed).status_code == 200

    aggregate = case.chair.api.get(case.url).json()["aggregate"]
    assert (aggregate["reviews"], aggregate["median"]) == (3, 4.5)  # this round's three only
    assert aggregate["weighted_mean"] == 4.0
    reviews = case.chair.api.get(f"{case.url}/reviews").json()
    assert reviews["total"] == 6  # the earlier round's reviews are still stored
    assert sorted(r["round"] for r in reviews["items"]) == [0, 0, 0, 1, 1, 1]
    assert {r["comment"] for r in reviews["items"] if r["round"] == 0} == {
        "Secret reviewer comment about the team"
    }
    page = case.chair.api.get(f"/applications/{case.application_id}?lang=en").text
    current, earlier = page.split("Reviews of earlier rounds")
    assert current.count("Round two: the market is clear now") == 3
    assert "Secret reviewer comment about the team" not in current
    assert earlier.count("Secret reviewer comment about the team") == 3
    assert "Round two" not in earlier

    decided = decide(case, decision="approved", reason="Рынок подтверждён")
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    letters = _decision_letters(factory, case.applicant.id)
    assert len(letters) == 2
    assert "Уточните рынок" in letters[0][1] and "revise" in letters[0][1]
    assert "Рынок подтверждён" in letters[1][1] and "is now a member" in letters[1][0]


def test_every_decision_of_an_appeal_sends_its_own_letter(factory: Factory) -> None:
    case = reviewed(factory, locale="en")
    assert case.staff is not None
    assert decide(case, decision="rejected", reason="Weak team").status_code == 200
    appeal = case.applicant.api.post(f"{case.url}/appeal", json={"statement": "We hired a CTO"})
    assert appeal.status_code == 200
    fresh = [factory.actor(Role.committee) for _ in range(3)]
    assert case.staff.api.post(f"{case.url}/assignments", json={"auto": True}).status_code == 201
    for reviewer in fresh:
        reviewer.api.post(f"{case.url}/declaration", json={"conflict": False})
        reviewer.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
    assert decide(case, decision="rejected", reason="Still weak").status_code == 200
    letters = _decision_letters(factory, case.applicant.id)
    assert len(letters) == 2
    assert "Weak team" in letters[0][1] and "appeal once" in letters[0][1]
    assert "Still weak" in letters[1][1] and "appeal once" not in letters[1][1]


def test_a_resubmission_leaves_out_recused_and_departed_reviewers(factory: Factory) -> None:
    case = reviewed(factory)
    assert case.staff is not None
    recused = factory.actor(Role.committee)
    case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": recused.id})
    recused.api.post(
        f"{case.url}/declaration", json={"conflict": True, "kind": "personal", "reason": "Friend"}
    )
    departed = case.reviewers[0]
    assert decide(case, decision="changes_requested", reason="Уточните рынок").status_code == 200
    with factory.database.session_scope() as session:
        session.execute(delete(UserRole).where(UserRole.user_id == departed.id))
    assert case.applicant.api.post(f"{case.url}/submit").json()["status"] == "under_review"
    assignments = case.staff.api.get(case.url).json()["assignments"]
    carried = sorted(a["reviewer_id"] for a in assignments if a["round"] == 1)
    assert carried == sorted(r.id for r in case.reviewers[1:])
    newcomer = factory.actor(Role.committee)
    auto = case.staff.api.post(f"{case.url}/assignments", json={"auto": True})
    assert auto.status_code == 201
    added = [a["reviewer_id"] for a in auto.json()["assignments"] if a["round"] == 1]
    assert sorted(added) == sorted([*carried, newcomer.id])


def test_appeal_once_within_thirty_days_goes_to_new_reviewers(factory: Factory) -> None:
    case = reviewed(factory)
    decide(case, decision="rejected", reason="Слабая команда")
    response = case.applicant.api.post(f"{case.url}/appeal", json={"statement": "Мы наняли CTO"})
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert (
        case.applicant.api.post(f"{case.url}/appeal", json={"statement": "again"}).status_code
        == 409
    )

    original = case.reviewers[0]
    assert (
        case.staff.api.post(  # type: ignore[union-attr]
            f"{case.url}/assignments", json={"reviewer_id": original.id}
        ).status_code
        == 409
    )
    fresh = [factory.actor(Role.committee) for _ in range(3)]
    auto = case.staff.api.post(f"{case.url}/assignments", json={"auto": True})  # type: ignore[union-attr]
    assert auto.status_code == 201
    round_one = [a["reviewer_id"] for a in auto.json()["assignments"] if a["round"] == 1]
    assert sorted(round_one) == sorted(a.id for a in fresh)
    assert decide(case).status_code == 409  # the original reviews do not count for the appeal
    for reviewer in fresh:
        reviewer.api.post(f"{case.url}/declaration", json={"conflict": False})
        reviewer.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
    assert decide(case, decision="rejected", reason="Всё ещё слабо").status_code == 200
    assert (
        case.applicant.api.post(f"{case.url}/appeal", json={"statement": "third"}).status_code
        == 409
    )


def test_an_appeal_after_thirty_days_is_refused(factory: Factory) -> None:
    case = reviewed(factory)
    decide(case, decision="rejected", reason="Нет")
    with factory.database.session_scope() as session:
        session.execute(update(Application).values(decided_at=utcnow() - timedelta(days=31)))
    response = case.applicant.api.post(f"{case.url}/appeal", json={"statement": "Please"})
    assert response.status_code == 409
    assert response.json()["detail"] == "30 дней на апелляцию истекли."
    assert case.applicant.api.get(case.url).json()["status"] == "rejected"


def test_a_rejected_application_comes_back_only_through_an_appeal(factory: Factory) -> None:
    case = reviewed(factory)
    decide(case, decision="rejected", reason="Нет")
    refused = case.applicant.api.post(f"{case.url}/submit")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Отклонённая заявка возвращается к комитету только через апелляцию."
    )
    with factory.database.session_scope() as session:
        application = session.get(Application, case.application_id)
        assert application is not None and application.status == "rejected"


def test_the_owner_decides_whether_the_member_is_listed_in_the_register(
    factory: Factory, client: object
) -> None:
    case = reviewed(factory)
    assert decide(case).status_code == 200
    with factory.database.session_scope(write=False) as session:
        membership = session.scalar(select(Membership))
        assert membership is not None
        membership_id, code = membership.id, membership.verify_code
    stranger = factory.actor()
    listing = f"/api/v1/memberships/{membership_id}/listing"

    assert stranger.api.put(listing, json={"listed": False}).status_code == 404
    unlisted = case.applicant.api.put(listing, json={"listed": False})

    assert unlisted.status_code == 200
    assert client.get("/api/v1/members").json()["total"] == 0  # type: ignore[attr-defined]
    assert client.get(f"/verify/{code}").status_code == 200  # type: ignore[attr-defined]
    case.applicant.api.put(listing, json={"listed": True})
    assert client.get("/api/v1/members").json()["total"] == 1  # type: ignore[attr-defined]


def test_two_decisions_in_one_round_send_two_letters(factory: Factory) -> None:
    """An application resubmitted before resubmissions opened a round stayed in its round;
    once a reviewer is added it is decided a second time in that round, and that decision is
    news to the applicant too."""
    case = reviewed(factory, locale="en")
    assert case.staff is not None
    assert (
        decide(case, decision="changes_requested", reason="Clarify the market").status_code == 200
    )
    with factory.database.session_scope() as session:
        session.execute(
            update(Application)
            .where(Application.id == case.application_id)
            .values(status="submitted", open_organisation_id=case.organisation.id)
        )
    extra = factory.actor(Role.committee)
    added = case.staff.api.post(f"{case.url}/assignments", json={"reviewer_id": extra.id})
    assert added.status_code == 201
    assert added.json()["status"] == "under_review" and added.json()["review_round"] == 0
    assert decide(case, decision="approved", reason="Market clarified").status_code == 200
    letters = _decision_letters(factory, case.applicant.id)
    assert len(letters) == 2
    assert "Clarify the market" in letters[0][1] and "Market clarified" in letters[1][1]
    assert letters[0][0] != letters[1][0]
