"""Locale and time zone of the current request or email, gettext, and locale-aware formatting.

The active locale lives in a context variable so that Python code, Jinja templates and emails
rendered for another recipient all translate through the same functions. Catalogues are every
`.po` file under `app/locale/<locale>/LC_MESSAGES/`, compiled in memory at first use.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("ru", "en")
DEFAULT_LOCALE = "ru"
DEFAULT_TIMEZONE = "Europe/Moscow"
LOCALE_DIR = Path(__file__).parent / "locale"

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)
_timezone: ContextVar[str] = ContextVar("timezone", default=DEFAULT_TIMEZONE)


@cache
def translations_for(locale: str) -> NullTranslations:
    merged: NullTranslations = NullTranslations()
    for po_path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        compiled = Translations(fp=buffer)
        if isinstance(merged, Translations):
            merged.merge(compiled)
        else:
            merged = compiled
    return merged


def get_locale() -> str:
    return _locale.get()


def get_timezone() -> ZoneInfo:
    return ZoneInfo(_timezone.get())


def set_locale(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def set_timezone(name: str) -> None:
    _timezone.set(name if is_valid_timezone(name) else DEFAULT_TIMEZONE)


@contextmanager
def use_locale(locale: str, timezone: str | None = None) -> Iterator[None]:
    """Translate and format for someone else, e.g. the recipient of an email."""
    locale_token = _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    tz_token = _timezone.set(timezone) if timezone and is_valid_timezone(timezone) else None
    try:
        yield
    finally:
        _locale.reset(locale_token)
        if tz_token is not None:
            _timezone.reset(tz_token)


class ContextualMessage(str):
    """A msgid with a gettext context, for words whose translation depends on what they
    describe (Russian "Accepted" is «Принят» for a meeting request, «Принято» for an
    introduction)."""

    context: str

    def __new__(cls, context: str, message: str) -> ContextualMessage:
        instance = super().__new__(cls, message)
        instance.context = context
        return instance


def gettext(message: str, **variables: object) -> str:
    if isinstance(message, ContextualMessage):
        return pgettext(message.context, str(message), **variables)
    translated = translations_for(get_locale()).gettext(message)
    return translated % variables if variables else translated


def pgettext(context: str, message: str, **variables: object) -> str:
    translated = str(translations_for(get_locale()).pgettext(context, message))
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    translated = translations_for(get_locale()).ngettext(singular, plural, n)
    return translated % {"num": format_number(n), **variables}


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def NC_(context: str, message: str) -> ContextualMessage:
    """Like `N_`, with a gettext context (msgctxt)."""
    return ContextualMessage(context, message)


@cache
def _all_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    if name not in _all_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def negotiate_locale(accept_language: str | None) -> str | None:
    """The first supported locale in an Accept-Language header, by quality."""
    if not accept_language:
        return None
    candidates: list[tuple[float, str]] = []
    for part in accept_language.split(",")[:20]:
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in LOCALES:
            candidates.append((quality, language))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


# Formatting has its own owner, app/formatting.py; these names stay importable from here for
# code written before it moved.
from app.formatting import (  # noqa: E402
    format_date,
    format_datetime,
    format_money_full,
    format_number,
    format_time,
)

format_rub = format_money_full
__all__ = ["format_date", "format_datetime", "format_number", "format_rub", "format_time"]
