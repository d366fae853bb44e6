"""Domain errors carry their HTTP status; they are mapped to responses once, in app.main."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidTransition(Conflict):
    pass


class PayloadTooLarge(DomainError):
    status_code = 413


class UnsupportedMediaType(DomainError):
    status_code = 415


class Throttled(DomainError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class FieldError(DomainError):
    """A business rule about one input field, reported like FastAPI's validation errors (422)."""

    status_code = 422

    def __init__(self, field: str, message: str, *, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.location = location

    def as_detail(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "value_error",
                "loc": [self.location, self.field],
                "msg": self.detail,
                "input": None,
            }
        ]
