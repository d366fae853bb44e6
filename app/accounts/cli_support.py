"""`portal create-user`."""

from __future__ import annotations

from app.accounts.models import Role, User, UserRole
from app.accounts.passwords import hash_password, password_problem
from app.accounts.service import find_user_by_email, normalise_email
from app.db import session_scope, utcnow


def upsert_user(*, email: str, password: str, name: str, roles: list[str]) -> int:
    try:
        wanted = {Role(r) for r in roles} | {Role.entrepreneur}
    except ValueError as exc:
        raise ValueError(f"unknown role; choose from {', '.join(r.value for r in Role)}") from exc
    problem = password_problem(password, email=email)
    if problem:
        raise ValueError(problem)
    with session_scope() as session:
        user = find_user_by_email(session, email)
        if user is None:
            user = User(
                email=normalise_email(email),
                password_hash="",
                full_name=name,
                consent_at=utcnow(),
                consent_policy_version="cli",
            )
            session.add(user)
        user.full_name = name
        user.password_hash = hash_password(password)
        for role in wanted - user.roles:
            user.role_rows.append(UserRole(role=role))
        session.flush()
        return user.id
