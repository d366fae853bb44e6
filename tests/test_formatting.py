"""The formatting filters in Russian and English, in several time zones, and the plural forms
of the Russian catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app import formatting, timezones
from app.i18n import is_valid_timezone, ngettext, use_locale
from app.templating import environment

NBSP, NNBSP = "\xa0", "\u202f"
# 15:00 UTC: 18:00 in Moscow, 22:00 in Novosibirsk, 16:00 in Berlin (winter time).
MOMENT = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def render(source: str, locale: str, zone: str = "Europe/Moscow", **context: object) -> str:
    with use_locale(locale, zone):
        return environment().from_string(source).render(**context)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ru", "05.12.2026"), ("en", "5 Dec 2026")],
)
def test_dates_are_dd_mm_yyyy_in_russian_and_day_month_year_in_english(
    locale: str, expected: str
) -> None:
    assert render("{{ d|date }}", locale, d=date(2026, 12, 5)) == expected
    assert render("{{ d|date }}", locale, d="2026-12-05") == expected
    assert render("{{ d|date }}", locale, d=MOMENT) == expected


def test_a_moment_falls_on_the_viewers_local_day() -> None:
    late = datetime(2026, 12, 5, 22, 30, tzinfo=UTC)
    assert render("{{ d|date }}", "ru", "Asia/Vladivostok", d=late) == "06.12.2026"
    assert render("{{ d|date }}", "ru", "Europe/Kaliningrad", d=late) == "06.12.2026"
    assert render("{{ d|date }}", "ru", "America/New_York", d=late) == "05.12.2026"


def test_the_weekday_form_keeps_the_same_date() -> None:
    assert render("{{ d|date(weekday=True) }}", "ru", d=date(2026, 12, 5)) == "суббота, 05.12.2026"
    assert render('{{ d|date("full") }}', "en", d=date(2026, 12, 5)) == "Saturday, 5 Dec 2026"


@pytest.mark.parametrize(
    ("locale", "zone", "expected"),
    [
        ("ru", "Europe/Moscow", "05.12.2026, 18:00"),
        ("ru", "Asia/Novosibirsk", "05.12.2026, 22:00"),
        ("en", "Europe/Moscow", f"5 Dec 2026, 6:00{NNBSP}PM"),
        ("en", "Europe/Berlin", f"5 Dec 2026, 4:00{NNBSP}PM"),
    ],
)
def test_times_have_no_seconds_and_follow_the_viewers_zone(
    locale: str, zone: str, expected: str
) -> None:
    assert render("{{ t|datetime }}", locale, zone, t=MOMENT) == expected
    # Babel's style names, still written in some templates, give the same house format.
    assert render('{{ t|datetime("medium") }}', locale, zone, t=MOMENT) == expected
    assert render("{{ t|datetime }}", locale, zone, t=MOMENT.isoformat()) == expected


def test_a_naive_time_from_the_database_is_utc() -> None:
    assert render("{{ t|time }}", "ru", t=MOMENT.replace(tzinfo=None)) == "18:00"


@pytest.mark.parametrize(
    ("locale", "viewer", "event", "expected"),
    [
        ("ru", "Europe/Moscow", "Europe/Moscow", "18:00"),
        ("ru", "Europe/Moscow", "Europe/Volgograd", "18:00"),  # the same clock, no label
        ("ru", "Europe/Moscow", "Asia/Novosibirsk", f"18:00{NBSP}МСК"),
        ("ru", "Asia/Novosibirsk", "Europe/Moscow", f"22:00{NBSP}МСК+4"),
        ("ru", "Europe/Kaliningrad", "Europe/Moscow", f"17:00{NBSP}МСК−1"),
        ("en", "Asia/Novosibirsk", "Europe/Moscow", f"10:00{NNBSP}PM{NBSP}MSK+4"),
        ("en", "Europe/Berlin", "Europe/Moscow", f"4:00{NNBSP}PM{NBSP}UTC+1"),
        ("en", "Asia/Kolkata", "Europe/Moscow", f"8:30{NNBSP}PM{NBSP}UTC+5:30"),
    ],
)
def test_the_zone_is_named_where_the_event_keeps_another_clock(
    locale: str, viewer: str, event: str, expected: str
) -> None:
    assert render("{{ t|time(zone=z) }}", locale, viewer, t=MOMENT, z=event) == expected


def test_a_time_range_names_the_zone_once() -> None:
    end = MOMENT.replace(hour=16, minute=30)
    source = "{{ time_range(a, b, zone=z) }}"
    got = render(source, "ru", "Asia/Novosibirsk", a=MOMENT, b=end, z="Europe/Moscow")
    assert got == f"22:00–23:30{NBSP}МСК+4"


@pytest.mark.parametrize(
    ("source", "ru", "en"),
    [
        ("{{ 4.333|number(2) }}", "4,33", "4.33"),
        ("{{ 4.5|number(2) }}", "4,50", "4.50"),
        ("{{ 4|number(2) }}", "4,00", "4.00"),
        ("{{ 1234567|number }}", f"1{NBSP}234{NBSP}567", "1,234,567"),
        ("{{ 0.667|percent }}", f"66,7{NBSP}%", "66.7%"),
        ("{{ 3_500_000|filesize }}", "3,3 МБ", "3.3 MB"),
        ("{{ 840_000|filesize }}", "820 КБ", "820 KB"),
        ('{{ "2026-03"|month }}', "март 2026", "March 2026"),
    ],
)
def test_numbers_use_the_locales_separators(source: str, ru: str, en: str) -> None:
    assert render(source, "ru") == ru
    assert render(source, "en") == en


@pytest.mark.parametrize(
    ("amount", "ru", "en"),
    [
        (45_000_000, f"45{NBSP}млн{NBSP}₽", f"RUB{NBSP}45M"),
        (1_250_000, f"1,2{NBSP}млн{NBSP}₽", f"RUB{NBSP}1.2M"),
        (Decimal("2500"), f"2,5{NBSP}тыс.{NBSP}₽", f"RUB{NBSP}2.5K"),
        (800, f"800{NBSP}₽", f"RUB{NBSP}800"),
    ],
)
def test_money_is_compact_on_cards(amount: object, ru: str, en: str) -> None:
    assert render("{{ a|money }}", "ru", a=amount) == ru
    assert render("{{ a|money }}", "en", a=amount) == en


@pytest.mark.parametrize(
    ("amount", "ru", "en"),
    [
        (45_000_000, f"45{NBSP}000{NBSP}000{NBSP}₽", f"RUB{NBSP}45,000,000"),
        (Decimal("25000000.00"), f"25{NBSP}000{NBSP}000{NBSP}₽", f"RUB{NBSP}25,000,000"),
    ],
)
def test_money_is_whole_roubles_in_tables_never_rub25_000_000_00(
    amount: object, ru: str, en: str
) -> None:
    for name in ("money_full", "rub"):
        assert render(f"{{{{ a|{name} }}}}", "ru", a=amount) == ru
        assert render(f"{{{{ a|{name} }}}}", "en", a=amount) == en


def test_empty_values_render_as_nothing() -> None:
    for name in ("date", "time", "datetime", "number", "money", "money_full", "filesize"):
        assert render(f"{{{{ v|{name} }}}}", "ru", v=None) == ""


@pytest.mark.parametrize(
    ("count", "seats", "places"),
    [
        (1, "1 место", "1 place"),
        (2, "2 места", "2 places"),
        (5, "5 мест", "5 places"),
        (11, "11 мест", "11 places"),
        (21, "21 место", "21 places"),
        (22, "22 места", "22 places"),
    ],
)
def test_russian_plurals_have_three_forms(count: int, seats: str, places: str) -> None:
    message = "Your company already has %(num)s places in this session, the most allowed."
    with use_locale("ru"):
        text = ngettext(
            "Your company already has %(num)s place in this session, the most allowed.",
            message,
            count,
        )
    assert f"уже {seats} на этом занятии" in text
    with use_locale("en"):
        text = ngettext("%(num)s slot", "%(num)s slots", count)
    assert text == places.replace("place", "slot")


def test_plurals_through_jinja_format_the_count() -> None:
    source = '{{ ngettext("%(num)s slot", "%(num)s slots", n) }}'
    assert render(source, "ru", n=1) == "1 слот"
    assert render(source, "ru", n=2) == "2 слота"
    assert render(source, "ru", n=5) == "5 слотов"
    assert render(source, "ru", n=21) == "21 слот"
    assert render(source, "ru", n=1000) == f"1{NBSP}000 слотов"


def test_a_fraction_takes_the_plural_of_two() -> None:
    source = (
        '{{ ngettext("day to decision (median)", "days to decision (median)", plural_count(n)) }}'
    )
    assert render(source, "ru", n=1.0) == "день до решения (медиана)"
    assert render(source, "ru", n=1.5) == "дня до решения (медиана)"
    assert render(source, "ru", n=26) == "дней до решения (медиана)"
    assert render(source, "en", n=1.5) == "days to decision (median)"


def test_zone_choices_start_with_russia_west_to_east_then_every_other_zone() -> None:
    with use_locale("ru"):
        choices = timezones.choices()
    values = [value for value, _label in choices]
    assert values[:12] == [zone for zone, _name in timezones.RUSSIAN_ZONES]
    assert dict(choices)["Asia/Novosibirsk"] == "UTC+7 — Новосибирск (МСК+4)"
    assert dict(choices)["Europe/Kaliningrad"] == "UTC+2 — Калининград (МСК−1)"
    assert values[12:] == sorted(values[12:])
    assert {"Europe/Berlin", "America/New_York", "Asia/Tokyo"} <= set(values)
    assert len(values) == len(set(values))
    assert all(is_valid_timezone(value) for value in values)
    with use_locale("en"):
        assert dict(timezones.choices())["Europe/Moscow"] == "UTC+3 — Moscow (MSK)"


def test_a_saved_zone_outside_the_list_stays_selectable() -> None:
    with use_locale("en"):
        assert timezones.choices("Etc/GMT-3")[0] == ("Etc/GMT-3", "UTC+3 — Etc/GMT-3")
        assert timezones.choices("Mars/Olympus")[0][0] == "Europe/Kaliningrad"


def test_the_filters_are_the_ones_every_template_gets() -> None:
    env = environment()
    for name, function in formatting.FILTERS.items():
        assert env.filters[name] is function
