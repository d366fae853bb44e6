"""Schemathesis over the whole OpenAPI, in-process through the ASGI transport.

Every generated case, schema-valid or schema-violating, is sent three times: without a bearer
token, as a staff+admin user and as an entrepreneur whose organisation is a member. No answer may
be a server error and every answered status code must be documented; the signed-in answers must
also match their documented schema and content type. Generating a case costs more than sending
it, so each case is generated once for all three callers. The examples per operation are bounded
(PORTAL_FUZZ_EXAMPLES, default 6) and derandomised so a run is repeatable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.fuzzing import OPERATIONS, ROLES, SKIPPED, FuzzUser
from tests.security.report import REPORT

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "6"))
ANONYMOUS_CHECKS = [status_code_conformance]
SIGNED_IN_CHECKS = [status_code_conformance, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def asgi_client(app: FastAPI) -> Iterator[ASGIClient]:
    """One client for every call, instead of one made per call; it reads no proxy settings from
    the environment, which an app called in-process never needs."""
    with ASGIClient(app) as client:
        client.trust_env = False
        yield client


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_fuzzed_requests_get_no_server_error_and_match_the_schema(
    operation: Any, fuzz_users: dict[str, FuzzUser], asgi_client: ASGIClient
) -> None:
    if operation.label in SKIPPED:
        pytest.skip("ends the caller's account")
    failures: list[str] = []
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    def send(case: Any, caller: str, user: FuzzUser | None) -> None:
        asgi_client.cookies.clear()  # each call is a stranger to the last
        response = case.call(session=asgi_client, headers=user.headers() if user else {})
        REPORT["fuzz calls"] = REPORT.get("fuzz calls", 0) + 1
        if user:
            user.answered(case.method, response.status_code)
        if response.status_code >= 500:
            failures.append(f"{caller}, {response.status_code}: {case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=SIGNED_IN_CHECKS if user else ANONYMOUS_CHECKS)
        except Exception as error:  # every kind of check failure is reported
            failures.append(f"{caller}, {type(error).__name__}: {error}\n{case.as_curl_command()}")

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
        send(case, "anonymous", None)
        for role in sorted(ROLES):
            send(case, role, fuzz_users[role])

    run()
    assert not failures, "\n\n".join(failures[:3])
