"""The calling user as a dependency, and role gates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from app.accounts.models import Role, User
from app.accounts.policies import write_refusal
from app.accounts.service import active_user
from app.deps import SessionDep
from app.errors import Forbidden, NotAuthenticated
from app.i18n import gettext
from app.openapi import login_dependency


def _optional_user(request: Request, session: SessionDep) -> User | None:
    principal = request.state.principal
    user = None if principal is None else active_user(session, principal.user_id)
    if user is None:
        request.state.user = None
        return None
    request.state.user = user
    refusal = write_refusal(user, request.method, request.url.path)
    if refusal is not None:
        raise refusal
    return user


@login_dependency
async def _current_user(user: Annotated[User | None, Depends(_optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated(gettext("Please log in."))
    return user


OptionalUser = Annotated[User | None, Depends(_optional_user)]
CurrentUser = Annotated[User, Depends(_current_user)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency admitting users who hold any of `roles`."""

    async def gate(user: CurrentUser) -> User:
        if not user.has_role(*roles):
            raise Forbidden(gettext("You do not have permission to do this."))
        return user

    return gate


StaffUser = Annotated[User, Depends(require_role(Role.staff, Role.admin))]
AdminUser = Annotated[User, Depends(require_role(Role.admin))]
