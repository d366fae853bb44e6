"""Domain errors carry their HTTP status; they are mapped to responses once, in app.main."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(
        self, detail: str, *, headers: dict[str, str] | None = None, code: str | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        # A machine-readable reason beside the human detail, where the contract names one.
        self.code = code


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

    def by_field(self) -> dict[str, str]:
        """The message of each refused field, the way a form shows them."""
        return {self.field: self.detail}

    def as_detail(self) -> list[dict[str, Any]]:
        return [
            {"type": "value_error", "loc": [self.location, field], "msg": message, "input": None}
            for field, message in self.by_field().items()
        ]


class FieldErrors(FieldError):
    """Several fields refused at once, so that a form shows every problem on the first submit."""

    def __init__(self, errors: dict[str, str], *, location: str = "body") -> None:
        field, message = next(iter(errors.items()))
        super().__init__(field, message, location=location)
        self.errors = dict(errors)

    def by_field(self) -> dict[str, str]:
        return dict(self.errors)


def raise_field_errors(errors: dict[str, str]) -> None:
    """Refuse with every collected field error, if there are any."""
    if len(errors) == 1:
        field, message = next(iter(errors.items()))
        raise FieldError(field, message)
    if errors:
        raise FieldErrors(errors)
