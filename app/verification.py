"""Public verification of what the cluster certifies (`/verify/{code}`).

Each domain registers a resolver for the codes it issues (membership certificates, training
certificates); the page asks them in turn and shows the first that knows the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class VerifiedRecord:
    """What the public may see about a certified fact: nothing private."""

    kind: str  # translated, e.g. "Cluster membership"
    holder: str  # organisation or person as printed on the certificate
    number: str
    status: str  # slug: active, grace, expired, suspended, revoked, valid
    status_label: str
    valid_from: date | None = None
    valid_until: date | None = None
    details: list[tuple[str, str]] = field(default_factory=list)


Resolver = Callable[[Session, str], VerifiedRecord | None]
_resolvers: dict[str, Resolver] = {}


def register_resolver(name: str) -> Callable[[Resolver], Resolver]:
    def decorator(function: Resolver) -> Resolver:
        _resolvers[name] = function
        return function

    return decorator


def resolve(session: Session, code: str) -> VerifiedRecord | None:
    for _name, resolver in sorted(_resolvers.items()):
        record = resolver(session, code)
        if record is not None:
            return record
    return None
