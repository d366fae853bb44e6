"""What the OpenAPI description promises about errors: the error answers of a route follow from
what the route is. That every answered status code is documented is checked by the fuzz sweep
(test_fuzz.py), for anonymous and signed-in callers alike.
"""

from __future__ import annotations

from fastapi import FastAPI


def test_error_answers_are_documented_with_the_detail_schema(app: FastAPI) -> None:
    """What a client reads: the error kinds of a route follow from what the route is."""
    paths = app.openapi()["paths"]

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
