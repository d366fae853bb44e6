"""`/healthz` (the process answers), `/readyz` (it can serve) and `/metrics` (Prometheus)."""

from __future__ import annotations

import os

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from app.db import session_scope
from app.operations import health, policies
from app.operations.collectors import DatabaseFigures

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def liveness() -> Response:
    """Answers while the event loop does; touches neither the database nor a thread."""
    return PlainTextResponse("ok", headers={"cache-control": "no-store"})


@router.get("/readyz")
async def readiness() -> Response:
    checks = [await anyio.to_thread.run_sync(health.check_var_folder)]
    with anyio.move_on_after(health.DATABASE_TIMEOUT_SECONDS):
        database = await anyio.to_thread.run_sync(health.check_database, abandon_on_cancel=True)
        checks[:0] = database
    if len(checks) == 1:
        checks[:0] = [health.Check("database", False, "no answer within 1 s")]
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {c.name: "ok" if c.ok else c.detail or "failed" for c in checks},
    }
    return JSONResponse(
        body, status_code=200 if ready else 503, headers={"cache-control": "no-store"}
    )


def _process_metrics() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _database_metrics() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    with session_scope(write=False) as session:
        registry.register(DatabaseFigures(session))
        return generate_latest(registry)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    if not policies.may_read_metrics(request):
        return PlainTextResponse("forbidden", status_code=403)
    body = _process_metrics() + _database_metrics()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
