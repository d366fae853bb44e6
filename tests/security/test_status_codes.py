"""Every status code the API answers is documented in its OpenAPI description.

Schemathesis' status-code conformance check over every operation called without a bearer token,
with schema-valid and schema-violating inputs; the signed-in roles get the same check in the fuzz
sweep (test_fuzz.py). The examples per operation are bounded (PORTAL_STATUS_EXAMPLES, default 4)
and derandomised, so the whole sweep takes seconds.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance

from app.main import create_app
from tests.security.fuzzing import OPERATIONS, SKIPPED
from tests.security.world import REPORT

EXAMPLES = int(os.environ.get("PORTAL_STATUS_EXAMPLES", "4"))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_every_status_code_answered_to_anonymous_callers_is_documented(
    operation: Any, app: FastAPI
) -> None:
    if operation.label in SKIPPED:
        pytest.skip("ends the caller's account")
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
        REPORT["status-code cases"] = REPORT.get("status-code cases", 0) + 1
        response = case.call(app=app)
        try:
            case.validate_response(response, checks=[status_code_conformance])
        except Exception as error:  # every kind of check failure is reported
            failures.append(f"{type(error).__name__}: {error}\n{case.as_curl_command()}")

    run()
    assert not failures, "\n\n".join(failures[:3])


def test_error_answers_are_documented_with_the_detail_schema() -> None:
    """What a client reads: the error kinds of a route follow from what the route is."""
    paths = create_app().openapi()["paths"]

    def documented(method: str, path: str) -> set[str]:
        return set(paths[path][method]["responses"])

    # public, a record in the path, reads only
    assert documented("get", "/api/v1/library/{item_id}") == {"200", "404", "422"}
    # needs a login, changes state, takes a file
    assert documented("post", "/api/v1/library/{item_id}/file") == {
        "200", "400", "401", "403", "404", "409", "413", "415", "422",
    }  # fmt: skip
    # names a record only in its body
    assert "404" in documented("post", "/api/v1/applications")
    assert "404" not in documented("get", "/api/v1/me")
    assert documented("post", "/api/v1/auth/token") >= {"401", "429"}
    error = paths["/api/v1/sessions/{session_id}/enrolments"]["post"]["responses"]["409"]
    assert error["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
