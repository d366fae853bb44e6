"""Admission control: a bounded number of requests at work, the rest wait without holding anything.

A request that has begun a database transaction may still need a thread of the process's pool
(for the route, the response model, the commit). If every thread were taken by requests waiting
for that transaction's lock, or for a connection, nobody could finish: the whole site would
stall. So requests are admitted through two gates, reads and writes, before they touch a thread
or a connection; the thread pool and the connection pool are sized to serve every admitted
request at once, so an admitted request never waits for either. Requests beyond the gates wait
on the event loop, holding no lock, and get a fast 503 with Retry-After when they have waited too
long or too many are waiting already.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from starlette.types import ASGIApp, Receive, Scope, Send

from app import i18n
from app.config import get_settings
from app.metrics import ADMISSION_IN_USE, ADMISSION_REFUSED, ADMISSION_WAITING

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNGATED_PREFIXES = ("/static/", "/healthz")
# Threads beyond the admitted requests: static files and other work that never waits on a lock.
SPARE_THREADS = 8
RETRY_AFTER_SECONDS = 5


class Overloaded(Exception):
    pass


@dataclass
class _Queue:
    semaphore: anyio.Semaphore
    waiting: int = 0


class Gate:
    """A FIFO of waiting requests in front of `slots` places (one per event loop)."""

    def __init__(self, name: str, slots: int, *, max_waiting: int, max_wait_seconds: float) -> None:
        self.slots = slots
        self.in_use_gauge = ADMISSION_IN_USE.labels(name)
        self.waiting_gauge = ADMISSION_WAITING.labels(name)
        self.max_waiting = max_waiting
        self.max_wait_seconds = max_wait_seconds
        self._queue: RunVar[_Queue] = RunVar("admission_queue")

    def _current(self) -> _Queue:
        try:
            return self._queue.get()
        except LookupError:
            queue = _Queue(anyio.Semaphore(self.slots))
            self._queue.set(queue)
            return queue

    @property
    def in_use(self) -> int:
        return self.slots - self._current().semaphore.value

    async def enter(self) -> None:
        queue = self._current()
        if queue.waiting >= self.max_waiting:
            raise Overloaded
        queue.waiting += 1
        self.waiting_gauge.inc()
        try:
            with anyio.fail_after(self.max_wait_seconds):
                await queue.semaphore.acquire()
        except TimeoutError:
            raise Overloaded from None
        finally:
            queue.waiting -= 1
            self.waiting_gauge.dec()
        self.in_use_gauge.inc()

    def leave(self) -> None:
        self._current().semaphore.release()
        self.in_use_gauge.dec()


class AdmissionMiddleware:
    """The outermost layer: every request but static files and the liveness check passes a gate."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        settings = get_settings()
        wait = settings.request_queue_seconds
        queue = settings.request_queue_max
        self.reads = Gate("reads", settings.read_slots, max_waiting=queue, max_wait_seconds=wait)
        self.writes = Gate("writes", settings.write_slots, max_waiting=queue, max_wait_seconds=wait)
        self.threads = settings.read_slots + settings.write_slots + SPARE_THREADS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(UNGATED_PREFIXES):
            await self.app(scope, receive, send)
            return
        limiter = anyio.to_thread.current_default_thread_limiter()
        if limiter.total_tokens != self.threads:
            limiter.total_tokens = self.threads
        gate = self.reads if scope.get("method", "GET") in SAFE_METHODS else self.writes
        try:
            await gate.enter()
        except Overloaded:
            ADMISSION_REFUSED.inc()
            await reject_busy(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            gate.leave()


def _locale_of(scope: Scope) -> str:
    """The visitor's language from the language cookie or Accept-Language (no database)."""
    cookie = accept = ""
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            cookie = value.decode("latin-1")
        elif key == b"accept-language":
            accept = value.decode("latin-1")
    for chunk in cookie.split(";"):
        name, _, content = chunk.strip().partition("=")
        if name == "portal_lang" and content in i18n.LOCALES:
            return content
    return i18n.negotiate_locale(accept) or get_settings().default_locale


async def reject_busy(scope: Scope, send: Send) -> None:
    """503 with Retry-After, without a thread or the database: JSON under /api/, else a page."""
    path = str(scope.get("path", ""))
    with i18n.use_locale(_locale_of(scope)):
        message = i18n.gettext("The portal is busy. Please try again in a few seconds.")
        page = _busy_page(message)
    if path.startswith("/api/"):
        body = json.dumps({"detail": message}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        body = page.encode()
        content_type = b"text/html; charset=utf-8"
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _busy_page(message: str) -> str:
    title = i18n.gettext("Cluster Portal")
    again = i18n.gettext("Try again")
    return (
        f'<!doctype html><html lang="{i18n.get_locale()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">'
        f'<title>{title}</title><link rel="stylesheet" href="/static/css/portal.css"></head>'
        f'<body><main class="container"><h1>{title}</h1><p>{message}</p>'
        f'<p><a href="">{again}</a></p></main></body></html>'
    )
