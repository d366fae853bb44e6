"""How dates, times, numbers, money and file sizes read to the viewer: one owner for every page,
email and calendar description, in the locale and time zone of the current request (or of the
recipient, inside `i18n.use_locale`).

The house style:
- dates "05.12.2026" in Russian, "5 Dec 2026" in English; with the weekday where a day matters;
- times without seconds in the viewer's zone ("18:00", "6:00 PM"), labelled with the zone's
  short name ("МСК+4", "UTC+1") when the event belongs to another zone than the viewer's;
- numbers with the locale's separators ("4,33" / "4.33"), a fixed number of decimals on demand;
- money compact on figures and cards ("45 млн ₽" / "RUB 45M"), in full in tables
  ("45 000 000 ₽" / "RUB 45,000,000"), never "RUB45,000,000.00".
Machine-readable output (JSON, CSV/XLSX exports, the `datetime` attribute of `<time>`, .ics
fields) keeps ISO 8601 and does not come here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from app import timezones
from app.i18n import get_locale, get_timezone, gettext

Number = int | float | Decimal
NBSP = "\xa0"

DATE_PATTERNS = {"ru": "dd.MM.yyyy", "en": "d MMM yyyy"}
WEEKDAY_DATE_PATTERNS = {"ru": "EEEE, dd.MM.yyyy", "en": "EEEE, d MMM yyyy"}
# Money: whole roubles; the currency after the amount in Russian, its code before it in English.
MONEY_PATTERNS = {"ru": "#,##0\xa0¤", "en": "¤#,##0"}


def _pattern(patterns: dict[str, str], locale: str) -> str:
    return patterns.get(locale, patterns["en"])


def _as_datetime(value: datetime | str) -> datetime:
    """An aware datetime; an ISO string (as API dictionaries carry) is parsed, a naive value
    is UTC, as the database stores it."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _local(value: datetime | str) -> datetime:
    return _as_datetime(value).astimezone(get_timezone())


def format_date(
    value: date | datetime | str | None, style: str | None = None, *, weekday: bool = False
) -> str:
    """ "05.12.2026" / "5 Dec 2026"; a datetime gives the viewer's local day. `style="full"`
    (Babel's name, still used by older templates) means the date with its weekday."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = _as_datetime(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = _local(value).date()
    locale = get_locale()
    patterns = WEEKDAY_DATE_PATTERNS if weekday or style == "full" else DATE_PATTERNS
    return babel_dates.format_date(value, format=_pattern(patterns, locale), locale=locale)


def format_month(value: date | str | None) -> str:
    """A calendar month ("2026-03" or a date) as "март 2026" / "March 2026"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(f"{value[:7]}-01")
    return babel_dates.format_date(value, format="LLLL yyyy", locale=get_locale())


def _zone_suffix(moment: datetime, event_zone: str | None) -> str:
    """The viewer's zone name, when the event's own zone keeps another clock."""
    if not event_zone:
        return ""
    viewer = get_timezone().key
    if event_zone == viewer:
        return ""
    if timezones.utc_offset(event_zone, moment) == timezones.utc_offset(viewer, moment):
        return ""
    return NBSP + timezones.short_name(viewer, moment)


def format_time(
    value: datetime | str | None, style: str | None = None, *, zone: str | None = None
) -> str:
    """ "18:00" / "6:00 PM" in the viewer's zone; `zone` is the event's own zone, and where it
    differs the viewer's zone is named ("18:00 МСК")."""
    if value is None or value == "":
        return ""
    moment = _local(value)
    locale = get_locale()
    text = babel_dates.format_time(moment, format="short", locale=locale)  # CLDR: no seconds
    return text + _zone_suffix(moment, zone)


def format_datetime(
    value: datetime | str | None, style: str | None = None, *, zone: str | None = None
) -> str:
    """ "05.12.2026, 18:00" / "5 Dec 2026, 6:00 PM" in the viewer's zone. `style` accepts
    Babel's names ("short", "medium") for older templates: there is one house format."""
    if value is None or value == "":
        return ""
    return f"{format_date(value)}, {format_time(value, zone=zone)}"


def format_time_range(
    start: datetime | str | None, end: datetime | str | None, *, zone: str | None = None
) -> str:
    """ "18:00–19:30" on the day of the start, the zone named once at the end."""
    if start is None or end is None:
        return format_time(start, zone=zone)
    return f"{format_time(start)}–{format_time(end, zone=zone)}"


def format_number(value: Number | None, digits: int | None = None) -> str:
    """Locale separators ("1 234,5" / "1,234.5"); `digits` fixes the decimals ("4,33", "4,00"),
    as scores and means want, so that a column does not mix "4,3" with "4,33"."""
    if value is None:
        return ""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=get_locale())


def format_percent(value: Number | None, digits: int = 1) -> str:
    """A share (0.667) as "66,7 %" / "66.7%"."""
    if value is None:
        return ""
    locale = get_locale()
    own = Locale.parse(locale).percent_formats[None].pattern  # "#,##0 %" in ru
    pattern = own.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""), 1)
    return babel_numbers.format_percent(value, format=pattern, locale=locale)


def _space_after_code(text: str) -> str:
    """CLDR puts a space between a letter code and the digits ("RUB 45M"); Babel does not."""
    return text.replace("RUB", "RUB" + NBSP, 1) if text.startswith("RUB") else text


def format_money(value: Number | None) -> str:
    """Compact, for figures and cards: "45 млн ₽", "1,2 млн ₽" / "RUB 45M", "RUB 1.2M"."""
    if value is None:
        return ""
    locale = get_locale()
    text = babel_numbers.format_compact_currency(
        value, "RUB", locale=locale, fraction_digits=1 if abs(float(value)) >= 1000 else 0
    )
    return _space_after_code(text)


def format_money_full(value: Number | None) -> str:
    """Every rouble, for tables: "45 000 000 ₽" / "RUB 45,000,000"."""
    if value is None:
        return ""
    locale = get_locale()
    text = babel_numbers.format_currency(
        value,
        "RUB",
        format=_pattern(MONEY_PATTERNS, locale),
        locale=locale,
        currency_digits=False,
    )
    return _space_after_code(text)


def format_filesize(size: int | None) -> str:
    """ "820 КБ", "1,4 МБ" / "820 KB", "1.4 MB"."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        kib = max(1, round(size / 1024))
        return gettext("%(size)s KB", size=format_number(kib))
    return gettext("%(size)s MB", size=format_number(size / (1024 * 1024), 1))


def plural_count(value: Number | None) -> int:
    """The count that picks a plural form for `value`: a fraction takes the form of 2, as
    Russian ("1,5 дня", like "2 дня") and English ("1.5 days") both want."""
    if value is None:
        return 0
    return int(value) if value == int(value) else 2


def zone_name(zone: str | ZoneInfo | None = None) -> str:
    """A zone as people read it ("UTC+3 — Москва (МСК)"); the viewer's when none is given."""
    key = zone.key if isinstance(zone, ZoneInfo) else zone or get_timezone().key
    return timezones.label(key)


FILTERS: dict[str, Any] = {
    "date": format_date,
    "month": format_month,
    "time": format_time,
    "datetime": format_datetime,
    "number": format_number,
    "percent": format_percent,
    "money": format_money,
    "money_full": format_money_full,
    # the former name of `money_full`, kept for templates written before the split
    "rub": format_money_full,
    "filesize": format_filesize,
    "zone_name": zone_name,
}
GLOBALS: dict[str, Any] = {
    "time_range": format_time_range,
    "plural_count": plural_count,
    "zone_name": zone_name,
    "timezone_choices": timezones.choices,
}
