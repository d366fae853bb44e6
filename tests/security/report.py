"""Figures of the security sweep, counted by its tests and shown at the end of the run (the root
conftest adds up those of every xdist worker)."""

from __future__ import annotations

REPORT: dict[str, int] = {}
