"""Annotated dependencies: the request's session, the calling user, role gates, list paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Role, User
from app.db import get_session
from app.errors import Forbidden, NotAuthenticated
from app.i18n import gettext
from app.web import check_parameters, csrf_protect

# scope="function": the transaction commits when the route returns, before the response is
# sent, so a failed commit is an error response and never a success that was not stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _optional_user(request: Request, session: SessionDep) -> User | None:
    principal = request.state.principal
    if principal is None:
        request.state.user = None
        return None
    # Roles in the same statement: every gate asks for them.
    user = session.get(User, principal.user_id, options=[joinedload(User.role_rows)])
    if user is None or not user.is_active:
        request.state.user = None
        return None
    request.state.user = user
    return user


def _current_user(user: Annotated[User | None, Depends(_optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated(gettext("Please log in."))
    return user


OptionalUser = Annotated[User | None, Depends(_optional_user)]
CurrentUser = Annotated[User, Depends(_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting users who hold any of `roles`."""

    def gate(user: CurrentUser) -> User:
        if not user.has_role(*roles):
            raise Forbidden(gettext("You do not have permission to do this."))
        return user

    return gate


StaffUser = Annotated[User, Depends(require_role(Role.staff, Role.admin))]
AdminUser = Annotated[User, Depends(require_role(Role.admin))]


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(_paging)]


csrf_dependency = Depends(csrf_protect)
parameters_dependency = Depends(check_parameters)
