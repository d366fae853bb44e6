"""Base classes of request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    HttpUrl,
    TypeAdapter,
    UrlConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

T = TypeVar("T")


def _reject_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list | tuple | set):
        for item in value:
            _reject_nul(item)
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    return value


WEBSITE_MAX_LENGTH = 300
_WEB_ADDRESS = TypeAdapter(Annotated[HttpUrl, UrlConstraints(max_length=WEBSITE_MAX_LENGTH)])


def normalise_website(value: Any) -> Any:
    """People type "example.ru": an address without a scheme is taken as https, and a bare
    host is kept without the trailing slash ("https://example.ru")."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    try:
        url = _WEB_ADDRESS.validate_python(text)
    except ValidationError:
        raise PydanticCustomError("url_parsing", "not a web address") from None
    if url.scheme not in ("http", "https") or not url.host or "." not in url.host:
        raise PydanticCustomError("url_parsing", "not a web address")
    address = str(url)
    if url.path == "/" and not url.query and not url.fragment:
        address = address.removesuffix("/")
    return address


# A company's website as stored: "example.ru" arrives as "https://example.ru".
Website = Annotated[str | None, BeforeValidator(normalise_website)]

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1


def _check_integers(value: Any, limit: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and not -limit - 1 <= value <= limit:
        raise ValueError("is out of range")
    if isinstance(value, list | tuple | set):
        for item in value:
            _check_integers(item, limit)
    return value


class Input(BaseModel):
    """A request body: unknown fields are refused, text is trimmed and may not hold NUL bytes,
    and integers fit the database (ids, `*_id`/`*_ids`, in 32 bits; any other in 64)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_bytes(cls, value: Any) -> Any:
        return _reject_nul(value)

    @field_validator("*", mode="after")
    @classmethod
    def _integers_in_range(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        is_id = name == "id" or name.endswith(("_id", "_ids"))
        return _check_integers(value, INT4_MAX if is_id else INT8_MAX)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
