"""The Jinja2 environment shared by pages and emails."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app import bilingual, formatting, i18n
from app.config import PROJECT_ROOT, get_settings
from app.tones import status_tone
from app.uploads import upload_limit_text

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "app" / "static"


def _nl2br(value: str | None) -> Markup:
    if not value:
        return Markup("")
    return Markup("<br>").join(escape(line) for line in value.splitlines())


def _localized(obj: Any, field: str, multiline: bool = False) -> bilingual.Localized:
    return bilingual.localized(obj, field, multiline=multiline)


def _localized_text(obj: Any, field: str) -> str:
    return bilingual.localized(obj, field).text


def length_hint(most: int) -> str:
    """The hint under a text field: "Up to 10,000 characters." (a function, not a filter on a
    constant, which Jinja would evaluate once, in the first viewer's language)."""
    return i18n.gettext("Up to %(num)s characters.", num=i18n.format_number(most))


def absolute_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


@cache
def static_url(path: str) -> str:
    """`/static/<path>?v=<digest of its content>`: a new release changes the address, so the
    proxy may let browsers keep static files for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


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
        static_url=static_url,
        original_locale=bilingual.original_locale,
        status_tone=status_tone,
        upload_limit=upload_limit_text,  # "10 MB", stated next to every file field
        length_hint=length_hint,
    )
    env.globals.update(formatting.GLOBALS)
    env.filters.update(
        formatting.FILTERS,
        nl2br=_nl2br,
        localized=_localized,
        localized_text=_localized_text,
        status_tone=status_tone,
    )
    return env


def render(template_name: str, **context: Any) -> str:
    return environment().get_template(template_name).render(**context)
