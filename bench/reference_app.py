"""A bare reference: the staff applications list and the library search as a minimal Starlette
app running the same SQL as the portal with no ORM (SQLAlchemy Core `text()` on a pooled
engine), the same fields and values (the committee's aggregates and the named parties
included; on SQLite, timestamps and booleans as the driver returns them). The throughput
benchmark serves it with the same uvicorn settings and database as the portal, and reports
portal / reference.

    DATABASE_URL=... .venv/bin/uvicorn bench.reference_app:app --workers 1
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
from typing import Any

from sqlalchemy import bindparam, create_engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.library.search import (
    MAX_INDEXED_CHARS,
    RANK_CAP,
    RECENT_WINDOW,
    fts5_match,
    parse_query,
    snippet_from,
)
from app.membership.reviews import CRITERIA, HIGH_DISAGREEMENT, review_settings

_URL = os.environ["DATABASE_URL"]
engine = create_engine(_URL, pool_size=10, max_overflow=20)
IS_SQLITE = engine.dialect.name == "sqlite"
SECTIONS = ("summary", "innovation", "market", "team", "funding_needs")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _caller(connection: Any, request: Request) -> tuple[int, set[str]] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    row = connection.execute(
        text(
            "SELECT u.id, u.is_active FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = :h"
        ),
        {"h": digest},
    ).first()
    if row is None or not row.is_active:
        return None
    roles = {
        r[0]
        for r in connection.execute(
            text("SELECT role FROM user_roles WHERE user_id = :u"), {"u": row.id}
        )
    }
    return row.id, roles


WEIGHTS = review_settings().weights
FACTORS = tuple(WEIGHTS.get(name, 0.0) for name in CRITERIA)
QUORUM = review_settings().quorum


def _weigh(scores: dict[str, int]) -> float:
    weighted = sum(scores[name] * f for name, f in zip(CRITERIA, FACTORS, strict=True))
    return round(weighted / (sum(FACTORS) or 1.0), 2)


def _aggregate(values: list[float]) -> dict[str, Any]:
    """The committee's aggregate of the weighted scores, as the portal reports it."""
    if not values:
        return {"reviews": 0, "quorum": QUORUM, "weighted_mean": None, "median": None,
                "disagreement": None, "high_disagreement": False}  # fmt: skip
    spread = round(max(values) - min(values), 2)
    return {"reviews": len(values), "quorum": QUORUM,
            "weighted_mean": round(statistics.fmean(values), 2),
            "median": round(statistics.median(values), 2), "disagreement": spread,
            "high_disagreement": spread >= HIGH_DISAGREEMENT}  # fmt: skip


def _in(sql: str, name: str) -> Any:
    return text(sql).bindparams(bindparam(name, expanding=True))


def _applications(request: Request) -> tuple[int, dict[str, Any]]:
    limit = min(200, int(request.query_params.get("limit", 50)))
    offset = int(request.query_params.get("offset", 0))
    with engine.connect() as connection:
        caller = _caller(connection, request)
        if caller is None:
            return 401, {"detail": "Please log in."}
        if not caller[1] & {"staff", "admin", "chair"}:
            return 403, {"detail": "staff only in the reference"}
        total = connection.execute(text("SELECT count(*) FROM membership_applications")).scalar()
        rows = connection.execute(
            text(
                "SELECT a.*, o.name AS organisation_name FROM membership_applications a "
                "JOIN (SELECT id FROM membership_applications ORDER BY updated_at DESC, id DESC "
                "LIMIT :l OFFSET :o) page ON page.id = a.id "
                "JOIN organisations o ON o.id = a.organisation_id "
                "ORDER BY a.updated_at DESC, a.id DESC"
            ),
            {"l": limit, "o": offset},
        ).all()
        ids = [r.id for r in rows] or [0]
        attachments: dict[int, list[dict[str, Any]]] = {}
        for a in connection.execute(
            _in("SELECT * FROM membership_attachments WHERE application_id IN :ids", "ids"),
            {"ids": ids},
        ):
            attachments.setdefault(a.application_id, []).append(
                {"id": a.id, "filename": a.filename, "size": a.size}
            )
        events: dict[int, list[dict[str, Any]]] = {}
        for e in connection.execute(
            _in(
                "SELECT * FROM membership_application_events WHERE application_id IN :ids "
                "ORDER BY id",
                "ids",
            ),
            {"ids": ids},
        ):
            events.setdefault(e.application_id, []).append(
                {"status": e.to_status, "at": _iso(e.created_at)}
            )
        assignments: dict[int, list[dict[str, Any]]] = {}
        scored: dict[tuple[int, int], list[float]] = {}
        for s in connection.execute(
            _in(
                "SELECT s.*, u.full_name, r.id AS review_id, r.scores "
                "FROM membership_assignments s "
                "JOIN users u ON u.id = s.reviewer_id "
                "LEFT JOIN membership_reviews r ON r.assignment_id = s.id "
                "WHERE s.application_id IN :ids ORDER BY s.id",
                "ids",
            ),
            {"ids": ids},
        ):
            assignments.setdefault(s.application_id, []).append(
                {
                    "id": s.id, "reviewer_id": s.reviewer_id, "reviewer_name": s.full_name,
                    "round": s.round, "due_on": _iso(s.due_on),
                    "declared": s.declared_at is not None, "conflict": s.conflict,
                    "conflict_kind": s.conflict_kind, "review_submitted": s.review_id is not None,
                }
            )  # fmt: skip
            if s.scores is not None and s.conflict is not None and not s.conflict:
                scores = json.loads(s.scores) if isinstance(s.scores, str) else s.scores  # SQLite
                scored.setdefault((s.application_id, s.round), []).append(_weigh(scores))
        parties: dict[tuple[int, str], list[str]] = {}
        for p in connection.execute(
            _in(
                "SELECT application_id, relation, inn FROM membership_application_parties "
                "WHERE application_id IN :ids ORDER BY id",
                "ids",
            ),
            {"ids": ids},
        ):
            parties.setdefault((p.application_id, p.relation), []).append(p.inn)
        numbers = {
            m.organisation_id: m.number
            for m in connection.execute(
                _in(
                    "SELECT organisation_id, number FROM memberships WHERE organisation_id IN :ids",
                    "ids",
                ),
                {"ids": [r.organisation_id for r in rows] or [0]},
            )
        }
    items = []
    for r in rows:
        items.append(
            {
                "id": r.id, "organisation_id": r.organisation_id,
                "organisation_name": r.organisation_name, "status": r.status,
                **{name: getattr(r, name) for name in SECTIONS},
                "decision_reason": r.decision_reason, "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at), "submitted_at": _iso(r.submitted_at),
                "decided_at": _iso(r.decided_at), "appealed_at": _iso(r.appealed_at),
                "can_appeal": r.status == "rejected" and r.appealed_at is None,
                "membership_number": numbers.get(r.organisation_id)
                if r.status == "approved" else None,
                "attachments": attachments.get(r.id, []),
                "timeline": [{"status": "draft", "at": _iso(r.created_at)}, *events.get(r.id, [])],
                "competitors": parties.get((r.id, "competitor"), []),
                "shareholders": parties.get((r.id, "shareholder"), []),
                "review_round": r.review_round, "assignments": assignments.get(r.id, []),
                "aggregate": _aggregate(scored.get((r.id, r.review_round), [])),
            }
        )  # fmt: skip
    return 200, {"items": items, "total": total}


def _library(request: Request) -> tuple[int, dict[str, Any]]:
    """Anonymous search: public items only, ranked, with snippets (the portal's SQL)."""
    q = request.query_params.get("q", "")
    limit = min(200, int(request.query_params.get("limit", 20)))
    offset = int(request.query_params.get("offset", 0))
    parsed = parse_query(q)
    if parsed.is_empty:
        return 200, {"items": [], "total": 0}
    with engine.connect() as connection:
        # The portal's statement: the RANK_CAP newest visible matches, ranked, counted, paged.
        if IS_SQLITE:
            candidates = (
                "WITH candidates AS MATERIALIZED (SELECT library_fts.rowid AS item_id, "
                "bm25(library_fts, 10.0, 4.0, 1.0) AS rank FROM library_fts "
                "WHERE library_fts MATCH :m AND EXISTS (SELECT 1 FROM library_items i "
                "WHERE i.id = library_fts.rowid AND i.visibility = 'public') "
                f"ORDER BY library_fts.rowid DESC LIMIT {RANK_CAP}) "
                "SELECT item_id AS id, count(*) OVER () AS total FROM candidates "
                "ORDER BY rank, item_id DESC"
            )
            params: dict[str, Any] = {"m": fts5_match(parsed)}
        else:
            terms = [t for group in parsed.groups for t in group]
            query = " && ".join(
                f"websearch_to_tsquery('russian'::regconfig, :t{n})" for n in range(len(terms))
            )
            params = {f"t{n}": t.raw for n, t in enumerate(terms)}
            # The newest RECENT_WINDOW items first, then (too few matches there) all of them.
            recent = f"AND i.id + 0 > (SELECT max(id) FROM library_items) - {RECENT_WINDOW} "
            candidates = (
                "SELECT item_id AS id, count(*) OVER () AS total FROM ("
                f"SELECT newest.item_id, ts_rank(newest.vector, {query}) AS rank FROM ("
                "SELECT i.id AS item_id, i.search_vector AS vector FROM library_items i "
                f"WHERE i.search_vector @@ ({query}) AND i.visibility = 'public' {recent}"
                f"ORDER BY i.id + 0 DESC LIMIT {RANK_CAP}) newest) c "
                "ORDER BY rank DESC, item_id DESC"
            )
        page = connection.execute(
            text(f"{candidates} LIMIT :l OFFSET :o"), {**params, "l": limit, "o": offset}
        ).all()
        total = page[0].total if page else 0
        if not IS_SQLITE and total < RANK_CAP:
            page = connection.execute(
                text(f"{candidates.replace(recent, '')} LIMIT :l OFFSET :o"),
                {**params, "l": limit, "o": offset},
            ).all()
            total = page[0].total if page else 0
        ids = [p.id for p in page] or [0]
        rows = {
            r.id: r
            for r in connection.execute(
                _in(
                    "SELECT id, title, kind, language, category, visibility, created_at, "
                    f"substr(search_text, 1, {MAX_INDEXED_CHARS}) AS search_text "
                    "FROM library_items WHERE id IN :ids",
                    "ids",
                ),
                {"ids": ids},
            )
        }
    wanted = {s for group in parsed.groups for term in group for s in term.stems}
    items = [
        {
            "id": p.id, "title": rows[p.id].title, "kind": rows[p.id].kind,
            "language": rows[p.id].language, "category": rows[p.id].category,
            "created_at": _iso(rows[p.id].created_at),
            "snippet": str(snippet_from(rows[p.id].search_text or "", wanted)),
        }
        for p in page
        if p.id in rows
    ]  # fmt: skip
    return 200, {"items": items, "total": total}


async def applications(request: Request) -> JSONResponse:
    status, body = await run_in_threadpool(_applications, request)
    return JSONResponse(body, status_code=status)


async def library(request: Request) -> JSONResponse:
    status, body = await run_in_threadpool(_library, request)
    return JSONResponse(body, status_code=status)


app = Starlette(
    routes=[
        Route("/api/v1/applications", applications),
        Route("/api/v1/library", library),
    ]
)
