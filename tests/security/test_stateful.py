"""Random sequences of actions by random users never break the lifecycle invariants.

Application review: whatever the order of submit, assign, declare, review, decide and withdraw,
every status change is one the transition table allows, a refused action changes nothing, and
neither the applicant nor a conflicted reviewer ever sees a score, a review or a reviewer's
identity. Enrolment: whatever the order of enrolments and cancellations, no more than `capacity`
people hold a seat, and the waitlist is first come, first served.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.accounts.models import Role
from app.membership.models import TRANSITIONS, ApplicationStatus
from tests.factories import Actor, Factory
from tests.membership.helpers import PDF, SECTIONS
from tests.training.helpers import make_course, make_session

STATEFUL = settings(
    max_examples=6,
    stateful_step_count=14,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
REVIEW = {
    "scores": {"innovation": 4, "team": 3, "market": 5, "cluster_fit": 2},
    "comment": "Confidential remark 7f3a",
    "recommendation": "approve",
}


_open_clients: list[Any] = []


def _enter(actor: Actor) -> Actor:
    """Keep one event-loop thread per client for the whole run (much faster)."""
    actor.api.__enter__()
    _open_clients.append(actor.api)
    return actor


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _open_clients:
        _open_clients.pop().__exit__(None, None, None)


def test_random_review_sequences_keep_the_application_legal_and_confidential(
    factory: Factory,
) -> None:
    applicant = _enter(factory.actor(full_name="Applicant Person"))
    reviewers = [
        _enter(factory.actor(Role.committee, full_name=f"Hiddenname Reviewer{n}")) for n in range(4)
    ]
    chair = _enter(factory.actor(Role.chair, full_name="Hiddenname Chair"))
    staff = _enter(factory.actor(Role.staff))
    secrets = ["Hiddenname", REVIEW["comment"], "weighted", "scores", "aggregate", "assignments"]

    class Review(RuleBasedStateMachine):
        @initialize()
        def new_application(self) -> None:
            organisation = factory.organisation(applicant.user)
            response = applicant.api.post(
                "/api/v1/applications", json={"organisation_id": organisation.id, **SECTIONS}
            )
            assert response.status_code == 201, response.text
            self.url = f"/api/v1/applications/{response.json()['id']}"
            plan = applicant.api.post(
                f"{self.url}/attachments",
                files={"file": ("plan.pdf", PDF, "application/pdf")},
                data={"kind": "business_plan"},
            )
            assert plan.status_code == 201, plan.text
            self.status = ApplicationStatus.draft
            self.conflicted: set[int] = set()

        def _act(self, response: Any) -> None:
            assert response.status_code < 500, response.text
            now = ApplicationStatus(staff.api.get(self.url).json()["status"])
            if response.status_code >= 400:
                assert now == self.status, (response.status_code, self.status, now)
            elif now != self.status:
                assert now in TRANSITIONS[self.status], (self.status, now)
            self.status = now

        @rule()
        def submit(self) -> None:
            self._act(applicant.api.post(f"{self.url}/submit"))

        @rule(by_staff=st.booleans())
        def withdraw(self, by_staff: bool) -> None:
            actor = staff if by_staff else applicant
            response = actor.api.post(f"{self.url}/withdraw")
            if by_staff:
                assert response.status_code in (403, 404), response.text
            self._act(response)

        @rule(reviewer=st.integers(0, 3), by_chair=st.booleans())
        def assign(self, reviewer: int, by_chair: bool) -> None:
            actor = chair if by_chair else staff
            body = {"reviewer_id": reviewers[reviewer].id}
            self._act(actor.api.post(f"{self.url}/assignments", json=body))

        @rule(reviewer=st.integers(0, 3), conflict=st.booleans())
        def declare(self, reviewer: int, conflict: bool) -> None:
            body: dict[str, Any] = {"conflict": conflict}
            if conflict:
                body |= {"kind": "shareholding", "reason": "I hold shares"}
            response = reviewers[reviewer].api.post(f"{self.url}/declaration", json=body)
            if response.status_code == 200 and conflict:
                self.conflicted.add(reviewer)
            elif response.status_code == 200:
                self.conflicted.discard(reviewer)
            self._act(response)

        @rule(reviewer=st.integers(0, 3))
        def review(self, reviewer: int) -> None:
            response = reviewers[reviewer].api.put(f"{self.url}/reviews/mine", json=REVIEW)
            if reviewer in self.conflicted:
                assert response.status_code >= 400, "a conflicted reviewer could review"
            self._act(response)

        @rule(decision=st.sampled_from(["approved", "rejected", "changes_requested"]))
        def decide(self, decision: str) -> None:
            body = {"decision": decision, "reason": "Because"}
            self._act(chair.api.post(f"{self.url}/decision", json=body))

        @rule(reviewer=st.integers(0, 3))
        def stranger_decides(self, reviewer: int) -> None:
            body = {"decision": "approved", "reason": "Because"}
            response = reviewers[reviewer].api.post(f"{self.url}/decision", json=body)
            assert response.status_code in (403, 404), response.text
            self._act(response)

        @invariant()
        def applicant_sees_no_review_work(self) -> None:
            if not hasattr(self, "url"):
                return
            response = applicant.api.get(self.url)
            assert response.status_code == 200
            shown = json.dumps(response.json(), ensure_ascii=False)
            assert not [s for s in secrets if s in shown], shown
            assert applicant.api.get(f"{self.url}/reviews").status_code in (403, 404)

        @invariant()
        def conflicted_reviewers_see_no_scores_or_reviewers(self) -> None:
            for index in getattr(self, "conflicted", ()):
                reviewer = reviewers[index]
                reviews = reviewer.api.get(f"{self.url}/reviews")
                assert reviews.status_code in (403, 404), reviews.text
                response = reviewer.api.get(self.url)
                if response.status_code == 200:
                    shown = json.dumps(response.json(), ensure_ascii=False)
                    leaked = [s for s in (REVIEW["comment"], "Hiddenname") if s in shown]
                    assert not leaked, shown
                    assert not response.json().get("aggregate"), shown

    run_state_machine_as_test(Review, settings=STATEFUL)


def test_random_enrolments_and_cancellations_keep_capacity_and_a_fifo_waitlist(
    factory: Factory,
) -> None:
    staff = _enter(factory.actor(Role.staff))
    people = [_enter(factory.actor()) for _ in range(5)]
    course = make_course(staff.api)

    class Enrolment(RuleBasedStateMachine):
        @initialize(capacity=st.integers(1, 3))
        def new_session(self, capacity: int) -> None:
            self.capacity = capacity
            self.session_id = make_session(staff.api, course["id"], capacity=capacity)["id"]
            self.enrolled: list[int] = []
            self.waitlist: list[int] = []

        @rule(person=st.integers(0, 4))
        def enrol(self, person: int) -> None:
            user_id = people[person].id
            response = people[person].api.post(f"/api/v1/sessions/{self.session_id}/enrolments")
            if user_id in self.enrolled or user_id in self.waitlist:
                assert response.status_code == 409, response.text
                return
            assert response.status_code == 201, response.text
            if len(self.enrolled) < self.capacity:
                assert response.json()["status"] == "enrolled"
                self.enrolled.append(user_id)
            else:
                assert response.json()["status"] == "waitlisted"
                assert response.json()["position"] == len(self.waitlist) + 1
                self.waitlist.append(user_id)

        @rule(person=st.integers(0, 4))
        def cancel(self, person: int) -> None:
            user_id = people[person].id
            url = f"/api/v1/sessions/{self.session_id}/enrolments/mine"
            response = people[person].api.delete(url)
            if user_id not in self.enrolled and user_id not in self.waitlist:
                assert response.status_code in (404, 409), response.text
                return
            assert response.status_code in (200, 204), response.text
            if user_id in self.waitlist:
                self.waitlist.remove(user_id)
            else:
                self.enrolled.remove(user_id)
                if self.waitlist:
                    self.enrolled.append(self.waitlist.pop(0))

        @invariant()
        def seats_and_waitlist_match_first_come_first_served(self) -> None:
            if not hasattr(self, "session_id"):
                return
            url = f"/api/v1/sessions/{self.session_id}/enrolments"
            rows = staff.api.get(url).json()["items"]
            enrolled = {r["user_id"] for r in rows if r["status"] == "enrolled"}
            waiting = sorted(
                (r for r in rows if r["status"] == "waitlisted"), key=lambda r: r["position"]
            )
            assert len(enrolled) <= self.capacity
            assert enrolled == set(self.enrolled)
            assert [r["user_id"] for r in waiting] == self.waitlist
            assert [r["position"] for r in waiting] == list(range(1, len(waiting) + 1))

    run_state_machine_as_test(Enrolment, settings=STATEFUL)
