"""The chair's questions to the applicant and the one answer; the committee's discussion, which
the applicant never sees."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Role, UserRole
from app.membership.models import (
    Application,
    ApplicationEvent,
    Assignment,
    DiscussionPost,
    ResponseRequest,
    ReviewVersion,
)
from app.notifications.models import OutboxMessage
from bench.routes import StatementCounter
from tests.factories import Actor, Factory
from tests.html import Page, csrf_from
from tests.membership.helpers import GOOD_REVIEW, Case, decide, reviewed, under_review

QUESTIONS = "How many pilot customers have signed a contract?"
ANSWER = "Three agroholdings signed pilot contracts in October."
POST = "Secret discussion: the market figures look optimistic."


def _ask(case: Case, questions: str = QUESTIONS) -> object:
    assert case.chair is not None
    return case.chair.api.post(f"{case.url}/response-request", json={"questions": questions})


def _mail(factory: Factory, kind: str) -> list[OutboxMessage]:
    with factory.database.session_scope(write=False) as session:
        found = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        session.expunge_all()
        return list(found)


def _status(factory: Factory, case: Case) -> str:
    with factory.database.session_scope(write=False) as session:
        return str(session.scalar(select(Application.status).filter_by(id=case.application_id)))


def _posts(factory: Factory) -> list[tuple[int | None, str]]:
    with factory.database.session_scope(write=False) as session:
        rows = session.execute(
            select(DiscussionPost.author_id, DiscussionPost.text).order_by(DiscussionPost.id)
        )
        return [(author, text) for author, text in rows]


def test_the_chair_asks_the_applicant_answers_once_and_reviewers_revise(
    factory: Factory,
) -> None:
    case = reviewed(factory, locale="en")
    assert case.chair is not None

    asked = _ask(case)
    assert asked.status_code == 200, asked.text  # type: ignore[attr-defined]
    body = asked.json()  # type: ignore[attr-defined]
    assert body["status"] == "response_requested"
    assert [(r["questions"], r["answer"]) for r in body["response_requests"]] == [(QUESTIONS, None)]
    [letter] = _mail(factory, "membership.response_requested")
    assert letter.recipient_id == case.applicant.id
    assert QUESTIONS in letter.body_text and QUESTIONS in letter.body_html
    assert "asks you to answer these questions" in letter.body_text

    # Waiting for the answer: no decision, no second question, reviews paused.
    refused = decide(case)
    assert refused.status_code == 409
    assert _ask(case).status_code == 409  # type: ignore[attr-defined]
    paused = case.reviewers[0].api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW)
    assert paused.status_code == 409

    answered = case.applicant.api.post(f"{case.url}/response", json={"text": ANSWER})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "under_review"
    assert [r["answer"] for r in answered.json()["response_requests"]] == [ANSWER]
    again = case.applicant.api.post(f"{case.url}/response", json={"text": "Second answer"})
    assert again.status_code == 409

    told = _mail(factory, "membership.response_received")
    assert sorted(m.recipient_id for m in told) == sorted(
        [case.chair.id, *(r.id for r in case.reviewers)]
    )
    assert all(ANSWER not in m.body_text for m in told)

    # A reviewer sees the answer and revises the review; the earlier text is kept.
    reviewer = case.reviewers[0]
    seen = reviewer.api.get(case.url).json()
    assert seen["response_requests"][0]["answer"] == ANSWER
    revised = {**GOOD_REVIEW, "comment": "Revised after the answer", "recommendation": "reject"}
    response = reviewer.api.put(f"{case.url}/reviews/mine", json=revised)
    assert response.status_code == 200, response.text
    assert response.json()["versions"] == 1
    reviews = case.chair.api.get(f"{case.url}/reviews").json()["items"]
    mine = next(r for r in reviews if r["reviewer_id"] == reviewer.id)
    assert (mine["comment"], mine["recommendation"], mine["versions"]) == (
        "Revised after the answer",
        "reject",
        1,
    )
    with factory.database.session_scope(write=False) as session:
        versions = session.scalars(select(ReviewVersion)).all()
        assert [(v.comment, v.recommendation) for v in versions] == [
            (GOOD_REVIEW["comment"], "approve")
        ]
        timeline = session.scalars(
            select(ApplicationEvent.to_status)
            .where(ApplicationEvent.application_id == case.application_id)
            .order_by(ApplicationEvent.id)
        ).all()
        assert timeline[-2:] == ["response_requested", "under_review"]
        request = session.scalars(select(ResponseRequest)).one()
        assert (request.asked_by_id, request.answered_by_id) == (case.chair.id, case.applicant.id)

    assert decide(case).status_code == 200


def test_only_the_chair_asks_and_only_the_applicant_answers(factory: Factory) -> None:
    case = reviewed(factory)
    assert case.chair is not None and case.staff is not None
    for actor in (case.reviewers[0], case.staff):
        response = actor.api.post(f"{case.url}/response-request", json={"questions": QUESTIONS})
        assert response.status_code == 403, response.text
    stranger = factory.actor()
    response = stranger.api.post(f"{case.url}/response-request", json={"questions": QUESTIONS})
    assert response.status_code == 404
    assert _status(factory, case) == "under_review"
    assert _ask(case).status_code == 200  # type: ignore[attr-defined]

    for actor in (case.chair, case.reviewers[0], case.staff):
        response = actor.api.post(f"{case.url}/response", json={"text": ANSWER})
        assert response.status_code == 403, response.text
    assert stranger.api.post(f"{case.url}/response", json={"text": ANSWER}).status_code == 404
    empty = case.applicant.api.post(f"{case.url}/response", json={"text": ""})
    assert empty.status_code == 422
    assert _status(factory, case) == "response_requested"
    with factory.database.session_scope(write=False) as session:
        assert session.scalars(select(ResponseRequest.answer)).all() == [None]


def test_a_chair_with_a_conflict_cannot_ask(factory: Factory) -> None:
    case = reviewed(factory)
    with factory.database.session_scope() as session:
        session.add(UserRole(user_id=case.applicant.id, role=Role.chair))
    response = case.applicant.api.post(
        f"{case.url}/response-request", json={"questions": QUESTIONS}
    )
    assert response.status_code == 403
    assert _status(factory, case) == "under_review"


def _one_reviewed_one_recused(factory: Factory) -> Case:
    """Three reviewers: the first has reviewed, the second not yet, and the third turns out to
    have a conflict of interest."""
    case = under_review(factory, reviewers=3)
    first, _second, recused = case.reviewers
    assert first.api.put(f"{case.url}/reviews/mine", json=GOOD_REVIEW).status_code == 200
    with factory.database.session_scope() as session:
        assignment = session.scalars(
            select(Assignment).where(Assignment.reviewer_id == recused.id)
        ).one()
        assignment.conflict = True
    return case


def test_discussion_for_reviewers_after_their_review_and_chairs(factory: Factory) -> None:
    case = _one_reviewed_one_recused(factory)
    assert case.chair is not None and case.staff is not None
    first, second, recused = case.reviewers
    url = f"{case.url}/discussion"

    posted = first.api.post(url, json={"text": POST})
    assert posted.status_code == 201, posted.text
    assert posted.json()["author_name"] == "Reviewer Secretname0"
    reply = case.chair.api.post(url, json={"text": "Let us ask the applicant."})
    assert reply.status_code == 201

    # Not yet reviewed: told to review first; staff: not theirs; the recused and the applicant
    # never learn that the thread exists.
    assert second.api.get(url).status_code == 403
    assert second.api.post(url, json={"text": "Early"}).status_code == 403
    assert case.staff.api.get(url).status_code == 403
    for hidden in (recused, case.applicant, factory.actor(), factory.actor(Role.committee)):
        assert hidden.api.get(url).status_code == 404
        assert hidden.api.post(url, json={"text": "Intrusion"}).status_code == 404

    listed = case.chair.api.get(url).json()
    assert listed["total"] == 2
    assert [(p["author_id"], p["text"]) for p in listed["items"]] == [
        (first.id, POST),
        (case.chair.id, "Let us ask the applicant."),
    ]
    assert _posts(factory) == [(first.id, POST), (case.chair.id, "Let us ask the applicant.")]


def test_a_post_is_announced_to_the_other_readers_without_its_text(factory: Factory) -> None:
    case = _one_reviewed_one_recused(factory)
    assert case.chair is not None
    first = case.reviewers[0]
    with factory.database.session_scope() as session:
        # A second chair, who belongs to the applicant's organisation.
        session.add(UserRole(user_id=case.applicant.id, role=Role.chair))
    url = f"{case.url}/discussion"
    kind = "membership.discussion_post"

    assert first.api.post(url, json={"text": POST}).status_code == 201
    told = _mail(factory, kind)
    # Only the chair without a conflict: not the author, a reviewer yet to review, the recused,
    # or the conflicted chair.
    assert [message.recipient_id for message in told] == [case.chair.id]
    assert "ГеоСкан" in told[0].subject
    assert f"/applications/{case.application_id}#discussion-title" in told[0].body_text
    assert POST not in told[0].body_text and POST not in told[0].body_html

    assert case.chair.api.post(url, json={"text": "Let us ask."}).status_code == 201
    assert [message.recipient_id for message in _mail(factory, kind)] == [
        case.chair.id,
        first.id,
    ]


def test_the_discussion_closes_with_the_decision(factory: Factory) -> None:
    case = reviewed(factory)
    assert case.chair is not None
    url = f"{case.url}/discussion"
    assert case.reviewers[0].api.post(url, json={"text": POST}).status_code == 201
    assert decide(case).status_code == 200
    assert case.reviewers[0].api.post(url, json={"text": "Too late"}).status_code == 409
    assert case.chair.api.get(url).json()["total"] == 1


SECRETS = (POST, "Secretname", "Chair Person", "discussion-title", "Secret reviewer comment")


def test_the_applicant_never_sees_the_discussion_or_the_committee(factory: Factory) -> None:
    case = reviewed(factory, locale="en", browser=True)
    assert case.chair is not None
    assert case.reviewers[0].api.post(f"{case.url}/discussion", json={"text": POST}).status_code
    assert _ask(case).status_code == 200  # type: ignore[attr-defined]
    browser = case.applicant.browser
    assert browser is not None

    page = browser.get(f"/applications/{case.application_id}")
    assert page.status_code == 200
    html = Page(page.text)
    assert QUESTIONS in html.within("response").text
    assert html.form(f"/applications/{case.application_id}/response")
    texts = [
        page.text,
        case.applicant.api.get(case.url).text,
        case.applicant.api.get("/api/v1/applications").text,
    ]
    for letter in _mail(factory, "membership.response_requested"):
        texts += [letter.subject, letter.body_text, letter.body_html]

    answered = browser.post(
        f"/applications/{case.application_id}/response",
        data={"csrf_token": csrf_from(page.text), "text": ANSWER},
    )
    assert answered.status_code == 303
    page = browser.get(f"/applications/{case.application_id}")
    assert ANSWER in Page(page.text).within("response").text
    assert f'/applications/{case.application_id}/response"' not in page.text  # answered once
    texts.append(page.text)
    refused = browser.post(
        f"/applications/{case.application_id}/discussion",
        data={"csrf_token": csrf_from(page.text), "text": "Let me in"},
    )
    assert refused.status_code == 404
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, (secret, text[:300])
    assert _posts(factory) == [(case.reviewers[0].id, POST)]


def _browser(factory: Factory, actor: Actor) -> Actor:
    actor.browser = factory.browser_client(actor.user)
    return actor


def test_chair_and_reviewer_pages_ask_show_the_answer_and_discuss(factory: Factory) -> None:
    case = reviewed(factory, locale="en")
    assert case.chair is not None
    chair = _browser(factory, case.chair).browser
    reviewer = _browser(factory, case.reviewers[0]).browser
    assert chair is not None and reviewer is not None
    page_url = f"/applications/{case.application_id}"

    page = chair.get(page_url)
    response = chair.post(
        f"{page_url}/response-request",
        data={"csrf_token": csrf_from(page.text), "questions": QUESTIONS},
    )
    assert response.status_code == 303
    assert _status(factory, case) == "response_requested"
    page = chair.get(page_url)
    assert QUESTIONS in Page(page.text).within("response").text
    assert f'{page_url}/response-request"' not in page.text  # no second question while waiting
    assert case.applicant.api.post(f"{case.url}/response", json={"text": ANSWER}).status_code

    page = reviewer.get(page_url)
    assert ANSWER in Page(page.text).within("response").text
    response = reviewer.post(
        f"{page_url}/discussion", data={"csrf_token": csrf_from(page.text), "text": POST}
    )
    assert response.status_code == 303
    page = chair.get(page_url)
    thread = Page(page.text).within("discussion").text
    assert POST in thread and "Reviewer Secretname0" in thread
    empty = chair.post(
        f"{page_url}/discussion", data={"csrf_token": csrf_from(page.text), "text": ""}
    )
    assert empty.status_code == 303
    assert _posts(factory) == [(case.reviewers[0].id, POST)]


def test_the_application_page_does_not_gain_statements_per_post(factory: Factory) -> None:
    case = reviewed(factory)
    assert case.chair is not None
    chair = _browser(factory, case.chair).browser
    assert chair is not None
    url = f"/applications/{case.application_id}"

    def statements() -> int:
        chair.get(url)  # compiled statements and templates are cached by the first call
        counter = StatementCounter(factory.database.engine)
        with counter.counting():
            assert chair.get(url).status_code == 200
        assert sum("membership_discussion_posts" in s for s in counter.statements) == 1
        return counter.count

    case.reviewers[0].api.post(f"{case.url}/discussion", json={"text": "One"})
    one = statements()
    for number in range(4):
        case.chair.api.post(f"{case.url}/discussion", json={"text": f"More {number}"})
    assert _ask(case).status_code == 200  # type: ignore[attr-defined]
    case.applicant.api.post(f"{case.url}/response", json={"text": ANSWER})
    assert statements() == one


def test_export_and_erasure_cover_answers_and_posts(factory: Factory) -> None:
    case = reviewed(factory, full_name="Анна Заявителева")
    assert case.chair is not None
    assert _ask(case).status_code == 200  # type: ignore[attr-defined]
    answer = "Ответ подготовила Анна Заявителева."
    assert case.applicant.api.post(f"{case.url}/response", json={"text": answer}).status_code
    reviewer = case.reviewers[0]
    assert reviewer.api.post(f"{case.url}/discussion", json={"text": POST}).status_code == 201

    exported = case.applicant.api.get("/api/v1/me/export").json()["membership"]
    assert [a["answer"] for a in exported["answers"]] == [answer]
    assert exported["discussion_posts"] == []
    posts = reviewer.api.get("/api/v1/me/export").json()["membership"]["discussion_posts"]
    assert [p["text"] for p in posts] == [POST]
    asked = case.chair.api.get("/api/v1/me/export").json()["membership"]["questions_asked"]
    assert [q["questions"] for q in asked] == [QUESTIONS]

    assert case.applicant.api.delete("/api/v1/me").status_code == 202
    with factory.database.session_scope(write=False) as session:
        stored = session.scalars(select(ResponseRequest.answer)).one()
    assert stored is not None and "Заявителева" not in stored
