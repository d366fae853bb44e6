"""Schemathesis over the whole OpenAPI, in-process through the ASGI transport.

Each operation is fuzzed as a staff+admin user and as an entrepreneur whose organisation is a
member, with schema-valid and schema-violating inputs: no answer may be a server error, every
answered status code must be documented, and every documented answer must match its schema. The
examples per operation and role are bounded (PORTAL_FUZZ_EXAMPLES, default 6) and derandomised
so a run is repeatable.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.fuzzing import OPERATIONS, ROLES, SKIPPED, FuzzUser
from tests.security.world import REPORT

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "6"))


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
        user.answered(case.method, response.status_code)
        if response.status_code >= 500:
            failures.append(f"{response.status_code}: {case.as_curl_command()}\n{response.text}")
            return
        try:
            case.validate_response(
                response,
                checks=[
                    status_code_conformance,
                    response_schema_conformance,
                    content_type_conformance,
                ],
            )
        except Exception as error:  # every kind of check failure is reported
            failures.append(f"{type(error).__name__}: {error}\n{case.as_curl_command()}")

    run()
    assert not failures, "\n\n".join(failures[:3])
