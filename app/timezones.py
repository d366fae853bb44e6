"""The IANA time zones people choose from: Russia's zones first, west to east, with translated
names and their UTC offset, then every other zone. Also the short name a time is labelled with
("МСК+4", "UTC+1") where it is not the viewer's own zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from app.i18n import N_, _all_timezones, get_locale, gettext, is_valid_timezone

MOSCOW_OFFSET = timedelta(hours=3)
# West to east; the names are what Russians call these zones, translated in the catalogue.
RUSSIAN_ZONES: tuple[tuple[str, str], ...] = (
    ("Europe/Kaliningrad", N_("Kaliningrad")),
    ("Europe/Moscow", N_("Moscow")),
    ("Europe/Samara", N_("Samara")),
    ("Asia/Yekaterinburg", N_("Yekaterinburg")),
    ("Asia/Omsk", N_("Omsk")),
    ("Asia/Novosibirsk", N_("Novosibirsk")),
    ("Asia/Krasnoyarsk", N_("Krasnoyarsk")),
    ("Asia/Irkutsk", N_("Irkutsk")),
    ("Asia/Yakutsk", N_("Yakutsk")),
    ("Asia/Vladivostok", N_("Vladivostok")),
    ("Asia/Magadan", N_("Magadan")),
    ("Asia/Kamchatka", N_("Kamchatka")),
)
_RUSSIAN_NAMES = dict(RUSSIAN_ZONES)


def utc_offset(zone: str, at: datetime | None = None) -> timedelta:
    moment = at or datetime.now(ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)


def _hours(offset: timedelta, *, sign_zero: bool = False) -> str:
    """+3, −1, +5:30 (a real minus sign, as Russian typography wants)."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "+0" if sign_zero else ""
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}" + (f":{rest:02d}" if rest else "")


def short_name(zone: str, at: datetime | None = None) -> str:
    """How a time is labelled: Russian zones by their distance from Moscow ("МСК+4"), the rest
    by UTC offset ("UTC+1")."""
    offset = utc_offset(zone, at)
    if zone in _RUSSIAN_NAMES:
        moscow = gettext("MSK")
        return moscow + _hours(offset - MOSCOW_OFFSET)
    return "UTC" + _hours(offset)


def label(zone: str) -> str:
    """The option text: "UTC+7 — Новосибирск (МСК+4)", "UTC+1 — Europe/Berlin"."""
    offset = "UTC" + _hours(utc_offset(zone), sign_zero=True)
    if zone in _RUSSIAN_NAMES:
        return f"{offset} — {gettext(_RUSSIAN_NAMES[zone])} ({short_name(zone)})"
    return f"{offset} — {zone.replace('_', ' ')}"


@cache
def _other_zones() -> tuple[str, ...]:
    # Only Area/City names: the legacy aliases ("EST5EDT", "Etc/GMT+3", "W-SU") confuse more
    # than they help, and a saved one still validates.
    return tuple(
        sorted(
            zone
            for zone in _all_timezones()
            if "/" in zone
            and zone not in _RUSSIAN_NAMES
            and not zone.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
        )
    )


@cache
def _choices_for(locale: str, current: str, today: date) -> tuple[tuple[str, str], ...]:
    """`today` is in the key because the offsets change with daylight saving time."""
    russian = tuple((zone, label(zone)) for zone, _name in RUSSIAN_ZONES)
    others = tuple((zone, label(zone)) for zone in _other_zones())
    chosen = (
        () if not current or current in _RUSSIAN_NAMES or current in _other_zones() else (current,)
    )
    return tuple((zone, label(zone)) for zone in chosen) + russian + others


def choices(current: str = "") -> tuple[tuple[str, str], ...]:
    """(value, label) pairs for a `<select>`, Russia first; a valid zone saved earlier that the
    list leaves out (an alias) is kept at the top so that saving the form does not change it."""
    kept = current if current and is_valid_timezone(current) else ""
    return _choices_for(get_locale(), kept, datetime.now(ZoneInfo("UTC")).date())
