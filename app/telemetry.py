"""Every request gets an id (a trusted proxy's `X-Request-ID`, else a new one), returned in the
response and carried by every log line written while it runs; each request is counted, timed
by route template, and logged once when it ends."""

from __future__ import annotations

import logging
import re
import uuid
from time import perf_counter
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.logs import REQUEST_ID
from app.metrics import LATENCY, REQUESTS
from app.web import comes_from_trusted_proxy

access_log = logging.getLogger("app.access")
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _forwarded_id(scope: Scope) -> str | None:
    if not comes_from_trusted_proxy(scope, get_settings()):
        return None
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_ID.fullmatch(candidate) else None
    return None


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/applications/{application_id}`), never the raw
    path, so the metrics' labels stay few and carry no identifiers."""
    route: Any = scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")


def _user_id(scope: Scope) -> int | None:
    principal = scope.get("state", {}).get("principal")
    return getattr(principal, "user_id", None)


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _forwarded_id(scope) or uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = perf_counter()
        status = 500  # what the client gets if the application fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, perf_counter() - started)
            REQUEST_ID.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        method = str(scope.get("method", ""))
        route = route_template(scope)
        REQUESTS.labels(method, route, str(status)).inc()
        LATENCY.labels(method, route).observe(seconds)
        access_log.info(
            "%s %s %s %.1f ms",
            method,
            route,
            status,
            seconds * 1000,
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": _user_id(scope),
            },
        )
