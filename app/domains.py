"""The domain packages, in the order their routes and models are loaded."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAINS = (
    "accounts",
    "notifications",
    "membership",
    "training",
    "meetings",
    "library",
    "introductions",
    "reports",
)


def domain_modules(name: str) -> list[ModuleType]:
    """`app.<domain>.<name>` for every domain that has such a module."""
    modules = []
    for domain in DOMAINS:
        qualified = f"app.{domain}.{name}"
        if importlib.util.find_spec(f"app.{domain}") and importlib.util.find_spec(qualified):
            modules.append(importlib.import_module(qualified))
    return modules


def load_models() -> None:
    import app.audit  # noqa: F401

    domain_modules("models")
