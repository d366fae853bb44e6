"""Who may read the operators' endpoints."""

from __future__ import annotations

from starlette.requests import Request

from app.config import get_settings
from app.web import is_allowed_address


def may_read_metrics(request: Request) -> bool:
    """Only the addresses listed in `PORTAL_METRICS_ALLOWED` (the socket's own address, so a
    forwarded header cannot open the door)."""
    peer = request.client.host if request.client else ""
    return is_allowed_address(peer, get_settings().metrics_allowed)
