"""Every route of the app as (method, path, is_api), in a stable order."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def all_routes(app: FastAPI) -> list[tuple[str, str, bool]]:
    found: list[tuple[str, str, bool]] = []
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        if isinstance(route, APIRoute | Route):
            for method in sorted(route.methods or ()):
                if method == "HEAD" and "GET" in (route.methods or ()):
                    continue
                found.append((method, route.path, route.path.startswith("/api/")))
    return found
