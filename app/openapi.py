"""The error answers of the JSON API, documented in its OpenAPI description.

Which errors a route may answer follows from what the route is, so each kind of error is declared
once, with the rule that says which routes it applies to, instead of by hand on every route:
a route that needs a login may answer 401 and 403, one that names a record in its path 404, one
that changes state 403 (browser sessions need the CSRF token) and 409, one with a body 400 and
413, one taking a file 415. FastAPI itself documents 422 wherever there is input to validate.
Every error body is `{"detail": "..."}` (422: FastAPI's list of field errors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

ERROR_SCHEMA = "ErrorOut"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_login_dependencies: set[Callable[..., Any]] = set()
F = TypeVar("F", bound=Callable[..., Any])


def login_dependency(function: F) -> F:
    """Mark the dependency that demands a logged-in caller: routes using it may answer 401."""
    _login_dependencies.add(function)
    return function


class ErrorOut(BaseModel):
    detail: str


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def requires_login(route: APIRoute) -> bool:
    return any(d.call in _login_dependencies for d in _dependants(route.dependant))


def changes_state(route: APIRoute) -> bool:
    return bool(route.methods & UNSAFE_METHODS)


def _is_record_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def names_a_record(route: APIRoute) -> bool:
    """A path parameter, or an id among the query parameters or the body's fields (`*_id`, as
    `app.schemas.Input` reads ids): the record may be absent or hidden."""
    if route.dependant.path_params:
        return True
    names: list[str] = []
    for dependant in _dependants(route.dependant):
        names += [field.alias for field in dependant.query_params]
        for field in dependant.body_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names += list(annotation.model_fields)
            else:
                names.append(field.alias)
    return any(_is_record_id(name) for name in names)


def has_body(route: APIRoute) -> bool:
    return route.body_field is not None


def takes_a_file(route: APIRoute) -> bool:
    return any(
        isinstance(field.field_info, params.File)
        for dependant in _dependants(route.dependant)
        for field in dependant.body_params
    )


@dataclass(frozen=True)
class ErrorKind:
    status: int
    description: str
    applies: Callable[[APIRoute], bool]


ERROR_KINDS = (
    ErrorKind(400, "Malformed request: the body is not valid JSON.", has_body),
    ErrorKind(401, "Not logged in.", requires_login),
    ErrorKind(
        403,
        "Logged in but not allowed; or a browser session without its CSRF token.",
        lambda route: requires_login(route) or changes_state(route),
    ),
    ErrorKind(404, "Absent, or not visible to the caller.", names_a_record),
    ErrorKind(
        409, "The current state does not allow this (e.g. already done, full).", changes_state
    ),
    ErrorKind(413, "The body or the uploaded file is too large.", has_body),
    ErrorKind(415, "The uploaded file is not of an accepted type.", takes_a_file),
)


def error_statuses(route: APIRoute) -> list[int]:
    return [kind.status for kind in ERROR_KINDS if kind.applies(route)]


def _document(schema: dict[str, Any], routes: list[Any]) -> None:
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorOut.model_json_schema()
    descriptions = {kind.status: kind.description for kind in ERROR_KINDS}
    for route in routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        operations = schema["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            statuses = {*error_statuses(route), *(int(s) for s in route.responses)}
            for status in sorted(statuses):
                if status < 400 or status == 422:
                    continue
                entry = responses.setdefault(
                    str(status), {"description": descriptions.get(status, "Error")}
                )
                entry.setdefault("content", {"application/json": {"schema": reference}})


def document_errors(app: FastAPI) -> None:
    """Add the error answers to the app's OpenAPI description when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            _document(schema, app.routes)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
