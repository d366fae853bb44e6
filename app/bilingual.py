"""Content in two languages: the original text and its versions in the other locale.

A translatable model keeps its own columns as the text in its original language (its `language`
column, or the portal's default locale when it has none) and one JSON column `translations`,
`{"en": {"title": "…", "description": "…"}}`, holding the versions in the other language(s).
`__translatable__` names the fields that may be translated and their length limits (those of the
original fields). Everything that shows such a text asks `localized()`: the viewer's language when
the text exists in it, otherwise the original, marked as a fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from markupsafe import Markup, escape
from pydantic import AfterValidator
from sqlalchemy import JSON, text
from sqlalchemy.orm import Mapped, mapped_column

from app import i18n
from app.config import get_settings
from app.i18n import N_

Translations = dict[str, dict[str, str]]

# "(in Russian)": the marker after a text shown in a language other than the viewer's.
_IN_LANGUAGE = {"ru": N_("in Russian"), "en": N_("in English")}


class Translatable:
    """Mixin of a model whose texts may exist in the other language."""

    __translatable__: ClassVar[Mapping[str, int]] = {}

    translations: Mapped[Translations] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )


def original_locale(obj: object) -> str:
    """The language of the object's own columns."""
    language = getattr(obj, "language", None)
    return str(language) if language else get_settings().default_locale


def other_locales(locale: str) -> list[str]:
    """The locales a text written in `locale` may be translated into (none for a language the
    portal does not speak: such a text is shown as it is)."""
    if locale not in i18n.LOCALES:
        return []
    return [other for other in i18n.LOCALES if other != locale]


@dataclass(frozen=True)
class Localized:
    """A text as shown to one viewer: `locale` is the language it is in; `is_fallback` when that
    is not the language asked for. Printed in HTML it carries its `lang` and the marker; as a
    plain string it is the bare text."""

    text: str
    locale: str
    is_fallback: bool
    multiline: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def note(self) -> str:
        """ "in Russian": what the marker of a fallback says (empty when it is none)."""
        marker = _IN_LANGUAGE.get(self.locale) if self.is_fallback else None
        return i18n.gettext(marker) if marker else ""

    def __html__(self) -> Markup:
        body = _lines(self.text) if self.multiline else escape(self.text)
        if not self.is_fallback:
            return Markup(body)
        note = (
            Markup(' <small class="fallback">({})</small>').format(self.note) if self.note else ""
        )

        return Markup('<span lang="{}">{}</span>{}').format(self.locale, body, note)


def _lines(value: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in value.splitlines())


def localized(
    obj: Any, field: str, locale: str | None = None, *, multiline: bool = False
) -> Localized:
    """`obj.<field>` in `locale` (the current one by default) when it exists in it, otherwise
    the original text marked as a fallback."""
    wanted = locale or i18n.get_locale()
    source = original_locale(obj)
    original = getattr(obj, field, None) or ""
    if wanted != source and wanted in other_locales(source):
        translated = ((getattr(obj, "translations", None) or {}).get(wanted) or {}).get(field)
        if translated:
            return Localized(translated, wanted, False, multiline)
    return Localized(original, source, bool(original) and wanted != source, multiline)


@dataclass(frozen=True)
class LocalizedText:
    """A text resolved only when printed, in the language current at that moment: what an email
    says about an object, rendered later in each recipient's language. Plain text, no marker."""

    original: str
    source: str
    translations: Mapping[str, str]

    def __str__(self) -> str:
        wanted = i18n.get_locale()
        if wanted != self.source:
            return self.translations.get(wanted) or self.original
        return self.original


def localized_later(obj: Any, field: str) -> LocalizedText:
    stored = getattr(obj, "translations", None) or {}
    return LocalizedText(
        original=getattr(obj, field, None) or "",
        source=original_locale(obj),
        translations={locale: texts[field] for locale, texts in stored.items() if texts.get(field)},
    )


def all_texts(obj: Any, field: str) -> list[str]:
    """The field in every language it is written in, the original first (for search indexes)."""
    stored = getattr(obj, "translations", None) or {}
    texts = [getattr(obj, field, None) or ""]
    texts += [versions.get(field) or "" for versions in stored.values()]
    return [value for value in texts if value]


# --- writing ----------------------------------------------------------------------------------


def clean_translations(value: Translations | None, *, fields: Mapping[str, int]) -> Translations:
    """Only the portal's locales and the model's translatable fields, within their limits; blank
    texts and empty languages are dropped."""
    if value is None:
        return {}
    cleaned: Translations = {}
    for locale, texts in value.items():
        if locale not in i18n.LOCALES:
            raise ValueError(f"unknown locale {locale!r} (known: {', '.join(i18n.LOCALES)})")
        for field, content in texts.items():
            limit = fields.get(field)
            if limit is None:
                raise ValueError(
                    f"{field!r} cannot be translated (translatable: {', '.join(fields)})"
                )
            content = content.strip()
            if len(content) > limit:
                raise ValueError(f"{locale}.{field} may be at most {limit} characters long")
            if content:
                cleaned.setdefault(locale, {})[field] = content
    return cleaned


def checked(fields: Mapping[str, int]) -> AfterValidator:
    """The check of a request body's `translations` (`{locale: {field: text}}`):
    `Annotated[Translations, checked(Model.__translatable__)]`."""
    check: Callable[[Translations | None], Translations] = partial(
        clean_translations, fields=fields
    )
    return AfterValidator(check)


FORM_PREFIX = "tr_"


def translations_from_form(
    form: Mapping[str, Any], *, source: str, fields: Mapping[str, int]
) -> Translations:
    """The other-language fieldset of a form (`tr_<field>` inputs) as `translations`: it holds the
    version in the language other than `source`, the language of the original fields."""
    targets = other_locales(source)
    if not targets:
        return {}
    texts = {
        field: str(form.get(FORM_PREFIX + field) or "")
        for field in fields
        if form.get(FORM_PREFIX + field)
    }
    return {targets[0]: texts} if texts else {}


def form_values(obj: Any) -> dict[str, str]:
    """What an edit form shows in its other-language fieldset for an existing object."""
    targets = other_locales(original_locale(obj))
    stored = getattr(obj, "translations", None) or {}
    texts = stored.get(targets[0], {}) if targets else {}
    return {FORM_PREFIX + field: value for field, value in texts.items()}
