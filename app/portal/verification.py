"""`/verify/{code}`: each domain that issues certificates resolves its own codes; the first that
knows the code answers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.membership import register as membership
from app.training import queries as training
from app.verification import Resolver, VerifiedRecord

RESOLVERS: tuple[Resolver, ...] = (
    membership.resolve_membership,
    training.resolve_certificate,
)


def resolve(session: Session, code: str) -> VerifiedRecord | None:
    for resolver in RESOLVERS:
        record = resolver(session, code)
        if record is not None:
            return record
    return None
