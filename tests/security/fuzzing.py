"""Bearer-token users for fuzzing the API with schemathesis, and the operations to fuzz."""

from __future__ import annotations

from dataclasses import dataclass

import schemathesis

from app.accounts import credentials
from app.accounts.models import Role, User
from app.db import Database
from tests.app_under_test import app_under_test
from tests.factories import Factory, make_member

SCHEMA = schemathesis.openapi.from_dict(app_under_test().openapi())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
ROLES = {"staff_admin": (Role.staff, Role.admin), "entrepreneur": ()}
# Operations that only end the caller's own account: nothing to fuzz, and they would log us out.
SKIPPED = {"DELETE /api/v1/me"}


@dataclass
class FuzzUser:
    """A user with a bearer token, remade whenever a fuzzed call disabled, erased or demoted it
    or revoked its token (all legitimate outcomes of the calls being fuzzed)."""

    database: Database
    factory: Factory
    roles: tuple[Role, ...]
    user_id: int = 0
    secret: str = ""
    unsure: bool = True  # until checked, and after every write that went through

    def headers(self) -> dict[str, str]:
        if self.unsure and not self._alive():
            self._remake()
        self.unsure = False
        return {"Authorization": f"Bearer {self.secret}"}

    def answered(self, method: str, status_code: int) -> None:
        """Only a write that succeeded can have disabled, demoted or erased the user."""
        if method.upper() not in ("GET", "HEAD", "OPTIONS") and status_code < 300:
            self.unsure = True

    def _alive(self) -> bool:
        if not self.secret:
            return False
        with self.database.session_scope(write=False) as session:
            found = credentials.find_token_user(session, self.secret)
            if found is None or found[1].erased_at is not None:
                return False
            return found[1].has_role(*self.roles) if self.roles else True

    def _remake(self) -> None:
        user = self.factory.user(roles=self.roles)
        organisation = self.factory.organisation(user)
        make_member(self.database, organisation)
        with self.database.session_scope() as session:
            _token, self.secret = credentials.issue_api_token(
                session, session.get(User, user.id), name="fuzz"
            )
        self.user_id = user.id
