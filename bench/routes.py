"""The main pages and JSON lists, who calls them, and how to count their SQL statements.

Shared by the benchmarks (query budget and latency at 1× and 10×) and by
tests/test_query_budget.py, which keeps the budget on a small data set.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from bench.generate import BENCH_USERS, bench_cookie, bench_token

QUERY_BUDGET = 10
# The home page asks every domain of the user's parts for its items: one aggregate each.
WORKSPACE_BUDGET = QUERY_BUDGET + 8
# Views that show the committee's scores (an application's page, the JSON list for the committee
# and staff) also read the committee's scoring standards, one aggregate, for the normalised mean.
APPLICATION_PAGE_BUDGET = QUERY_BUDGET + 1
# JSON lists are asked for the page size of the HTML lists; at the benchmark's 1× every list the
# bench users see holds at least that many rows, so 1× and 10× return as many items and the
# latency growth measures the data, not a fuller page.
LIST_PAGE = 20


@dataclass(frozen=True)
class Route:
    name: str
    actor: str | None  # a BENCH_USERS key, or None for an anonymous visitor
    path: str
    page: bool = False  # an HTML page: called with the browser session, not the token
    budget: int = QUERY_BUDGET  # statements allowed, whatever the amount of data


ROUTES: tuple[Route, ...] = (
    Route("me", "member", "/api/v1/me"),
    Route("organisations (staff)", "staff", "/api/v1/organisations?limit={page}"),
    Route("notifications", "member", "/api/v1/notifications?limit={page}"),
    Route(
        "applications (staff)",
        "staff",
        "/api/v1/applications?limit={page}",
        budget=APPLICATION_PAGE_BUDGET,
    ),
    Route(
        "applications (committee)",
        "committee",
        "/api/v1/applications?limit={page}",
        budget=APPLICATION_PAGE_BUDGET,
    ),
    Route("applications (member)", "member", "/api/v1/applications?limit={page}"),
    Route("application", "staff", "/api/v1/applications/{application}"),
    Route(
        "application reviews", "staff", "/api/v1/applications/{application}/reviews?limit={page}"
    ),
    Route("members registry", None, "/api/v1/members?limit={page}"),
    Route("courses", "member", "/api/v1/courses?limit={page}"),
    Route("sessions upcoming", "member", "/api/v1/sessions?upcoming=true&limit={page}"),
    Route("session enrolments", "staff", "/api/v1/sessions/{session}/enrolments?limit={page}"),
    Route("investors", "member", "/api/v1/investors?limit={page}"),
    Route("recommendations", "member", "/api/v1/investors/recommendations?limit={page}"),
    Route("meeting requests", "investor", "/api/v1/meeting-requests?limit={page}"),
    Route("meetings (member)", "member", "/api/v1/meetings?limit={page}"),
    Route("meetings (investor)", "investor", "/api/v1/meetings?limit={page}"),
    Route("library", None, "/api/v1/library?limit={page}"),
    Route("library search", None, "/api/v1/library?q=налоговая+льгота&limit={page}"),
    Route("library item", None, "/api/v1/library/{library_item}"),
    Route("partners", "member", "/api/v1/partners?limit={page}"),
    Route("introductions (staff)", "staff", "/api/v1/introductions?limit={page}"),
    Route("introductions (member)", "member", "/api/v1/introductions?limit={page}"),
    Route("success stories", None, "/api/v1/success-stories?limit={page}"),
    Route("outbox", "staff", "/api/v1/outbox?limit={page}"),
    # The workspace of each role: a statement or two per part, each a count or a short list
    # (the bench partner also belongs to a member organisation that has an application).
    Route("page /", "member", "/", page=True, budget=WORKSPACE_BUDGET),
    Route("page / (staff)", "staff", "/", page=True, budget=WORKSPACE_BUDGET),
    Route("page / (committee)", "committee", "/", page=True, budget=WORKSPACE_BUDGET),
    Route("page / (investor)", "investor", "/", page=True, budget=WORKSPACE_BUDGET),
    Route("page / (partner)", "partner", "/", page=True, budget=WORKSPACE_BUDGET),
    Route("page organisations", "staff", "/organisations", page=True),
    Route("page notifications", "member", "/notifications", page=True),
    Route("page applications", "staff", "/applications", page=True),
    Route(
        "page application",
        "staff",
        "/applications/{application}",
        page=True,
        budget=APPLICATION_PAGE_BUDGET,
    ),
    Route("page members", None, "/members", page=True),
    Route("page sessions", "member", "/sessions", page=True),
    Route("page session", "staff", "/sessions/{session}", page=True),
    Route("page my trainings", "member", "/trainings/mine", page=True),
    Route("page courses", "staff", "/courses", page=True),
    # The meeting requirements ask whether the member's organisation is incorporated.
    Route("page investors", "member", "/investors", page=True, budget=QUERY_BUDGET + 2),
    # Three lists on one page: meetings, sent requests and the pitch-day agenda; the menu asks
    # whether the user is a member (to show the investors and the partners).
    Route("page meetings", "member", "/meetings", page=True, budget=QUERY_BUDGET + 3),
    Route("page investor inbox", "investor", "/investor-inbox", page=True),
    Route("page library", None, "/library", page=True),
    Route("page library search", None, "/library?q=software+licensing", page=True),
    Route("page library item", None, "/library/{library_item}", page=True),
    Route("page partners", "member", "/partners", page=True),
    Route("page introductions", "member", "/introductions", page=True),
    Route("page introductions queue", "staff", "/introductions/queue", page=True),
    Route("page partner inbox", "partner", "/introductions/inbox", page=True),
    Route("page success stories", None, "/success-stories", page=True),
)


def route_ids(session: Session) -> dict[str, int]:
    """Ids for the detail routes: an application under review, a session, a library item."""
    from app.library.models import LibraryItem, Visibility
    from app.membership.models import Application, ApplicationStatus
    from app.training.models import TrainingSession

    return {
        "application": session.scalar(
            select(Application.id)
            .where(Application.status == ApplicationStatus.under_review)
            .order_by(Application.id)
            .limit(1)
        )
        or 1,
        "session": session.scalar(select(TrainingSession.id).order_by(TrainingSession.id).limit(1))
        or 1,
        "library_item": session.scalar(
            select(LibraryItem.id)
            .where(LibraryItem.visibility == Visibility.public)
            .order_by(LibraryItem.id)
            .limit(1)
        )
        or 1,
    }


class StatementCounter:
    """Counts the SQL statements an engine runs (transaction control excluded)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip()[:8].upper()
        if head.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOIN", "RELEASE")):
            return
        self.count += 1
        self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[StatementCounter]:
        self.count = 0
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._on_execute)


class Callers:
    """One TestClient per bench user (bearer token for the API, session cookie for pages)."""

    def __init__(self, app: FastAPI) -> None:
        from app.web import session_cookie

        self.anonymous = TestClient(app, base_url="http://testserver", follow_redirects=False)
        self.api: dict[str, TestClient] = {}
        self.pages: dict[str, TestClient] = {}
        for name in BENCH_USERS:
            api = TestClient(app, base_url="http://testserver", follow_redirects=False)
            api.headers["Authorization"] = f"Bearer {bench_token(name)}"
            self.api[name] = api
            page = TestClient(app, base_url="http://testserver", follow_redirects=False)
            page.cookies.set(session_cookie(), bench_cookie(name))
            self.pages[name] = page

    def client(self, route: Route) -> TestClient:
        if route.actor is None:
            return self.anonymous
        return (self.pages if route.page else self.api)[route.actor]


@dataclass
class Measurement:
    route: Route
    status: int
    statements: int
    p50_ms: float
    p95_ms: float


def measure_routes(
    app: FastAPI, engine: Engine, ids: dict[str, int], *, repeat: int = 20
) -> list[Measurement]:
    """Each route once under the statement counter, then `repeat` timed calls."""
    callers = Callers(app)
    counter = StatementCounter(engine)
    results = []
    for route in ROUTES:
        client = callers.client(route)
        path = route.path.format(page=LIST_PAGE, **ids)
        client.get(path)  # warm caches (templates, compiled statements)
        with counter.counting():
            response = client.get(path)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        results.append(
            Measurement(
                route,
                response.status_code,
                counter.count,
                statistics.median(timings) if timings else 0.0,
                timings[max(0, int(len(timings) * 0.95) - 1)] if timings else 0.0,
            )
        )
    return results
