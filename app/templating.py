"""The Jinja2 environment shared by pages and emails."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app import i18n
from app.config import PROJECT_ROOT, get_settings

TEMPLATE_DIR = PROJECT_ROOT / "templates"


def _nl2br(value: str | None) -> Markup:
    if not value:
        return Markup("")
    return Markup("<br>").join(escape(line) for line in value.splitlines())


def absolute_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals.update(
        get_locale=i18n.get_locale,
        get_timezone=i18n.get_timezone,
        LOCALES=i18n.LOCALES,
        absolute_url=absolute_url,
    )
    env.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        time=i18n.format_time,
        number=i18n.format_number,
        rub=i18n.format_rub,
        nl2br=_nl2br,
    )
    return env


def render(template_name: str, **context: Any) -> str:
    return environment().get_template(template_name).render(**context)
