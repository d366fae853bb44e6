"""Schemathesis over the whole OpenAPI, in-process through the ASGI transport.

Each operation is fuzzed as a staff+admin user and as an entrepreneur whose organisation is a
member, with schema-valid and schema-violating inputs: no answer may be a server error, and
every documented answer must match its schema. The examples per operation and role are bounded
(PORTAL_FUZZ_EXAMPLES, default 6) and derandomised so a run is repeatable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from app.accounts import credentials
from app.accounts.models import Role, User
from app.db import Database
from app.main import create_app
from tests.factories import Factory, make_member
from tests.security.world import REPORT, empty_all_tables

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "6"))
SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
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

    def headers(self) -> dict[str, str]:
        if not self._alive():
            self._remake()
        return {"Authorization": f"Bearer {self.secret}"}

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


@pytest.fixture(scope="module")
def fuzz_users(database: Database, app: FastAPI) -> Iterator[dict[str, FuzzUser]]:
    empty_all_tables(database)
    factory = Factory(database, app)
    yield {name: FuzzUser(database, factory, roles) for name, roles in ROLES.items()}
    empty_all_tables(database)


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_fuzzed_requests_get_no_server_error_and_match_the_schema(
    operation: Any, role: str, fuzz_users: dict[str, FuzzUser], app: FastAPI
) -> None:
    if operation.label in SKIPPED:
        pytest.skip("ends the caller's account")
    user = fuzz_users[role]
    failures: list[str] = []
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        REPORT["fuzz cases"] = REPORT.get("fuzz cases", 0) + 1
        response = case.call(app=app, headers=user.headers())
        if response.status_code >= 500:
            failures.append(f"{response.status_code}: {case.as_curl_command()}\n{response.text}")
            return
        try:
            case.validate_response(
                response, checks=[response_schema_conformance, content_type_conformance]
            )
        except Exception as error:  # every kind of check failure is reported
            failures.append(f"{type(error).__name__}: {error}\n{case.as_curl_command()}")

    run()
    assert not failures, "\n\n".join(failures[:3])
