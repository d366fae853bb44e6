"""The kinds of message the portal sends (declared by each domain, kept in `app.messaging`)."""

from __future__ import annotations

from app.messaging import MessageKind, all_kinds, find_kind, get_kind, register_kind

__all__ = ["MessageKind", "all_kinds", "find_kind", "get_kind", "register_kind"]
