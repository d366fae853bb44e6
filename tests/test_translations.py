"""Every user-facing string has a Russian and an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from app import i18n_catalogue
from app.domains import DOMAINS
from app.i18n import LOCALE_DIR, LOCALES, translations_for
from app.i18n_catalogue import CORE, extract


def _untranslated_plural_forms(locale: str, msgid: tuple[str, ...]) -> list[int]:
    """Indexes of the plural forms that are missing or fall back to the English msgid.

    A compiled catalogue fills an empty plural form with the msgid (form 0 with the singular,
    the others with the plural), so an incomplete Russian entry looks "known"; every one of the
    locale's forms is checked, not just the one a single sample number happens to pick."""
    catalog = translations_for(locale)._catalog  # type: ignore[attr-defined]
    missing = []
    for index in range(get_plural(locale).num_plurals):
        value = catalog.get((msgid[0], index))
        fallback = msgid[0] if index == 0 else msgid[-1]
        if not value or (locale != "en" and value == fallback):
            missing.append(index)
    return missing


@pytest.mark.parametrize("scope", [CORE, *DOMAINS])
def test_every_msgid_is_translated_in_both_catalogues(scope: str) -> None:
    missing = []
    for locale in LOCALES:
        translations = translations_for(locale)
        for msgid in extract(scope):
            if isinstance(msgid, tuple):
                forms = _untranslated_plural_forms(locale, msgid)
                if forms:
                    missing.append(f"{locale}: {msgid!r} forms {forms}")
            elif msgid not in translations._catalog:  # type: ignore[attr-defined]
                missing.append(f"{locale}: {msgid!r}")
    assert missing == []


def test_russian_plural_forms_follow_the_number() -> None:
    translations = translations_for("ru")
    singular, plural = "%(num)s unread notification", "%(num)s unread notifications"
    forms = {n: translations.ngettext(singular, plural, n) for n in (1, 3, 5, 11, 21, 22, 25)}
    assert forms[1] == forms[21] != forms[3]
    assert forms[3] == forms[22] != forms[5]
    assert forms[5] == forms[11] == forms[25]


def test_catalogue_update_retires_removed_msgids_and_resets_a_msgid_that_became_plural(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "strings.py"
    source.write_text('_("Kept")\n_("Removed")\n_("%(num)s file")\n')
    monkeypatch.setattr(i18n_catalogue, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n_catalogue, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(i18n_catalogue, "scope_files", lambda scope: iter([source]))
    i18n_catalogue.update("demo")
    ru_path = tmp_path / "ru" / "LC_MESSAGES" / "demo.po"
    with ru_path.open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    catalog["Kept"].string = "Оставлено"
    catalog["%(num)s file"].string = "%(num)s файл"
    with ru_path.open("wb") as handle:
        write_po(handle, catalog)

    source.write_text('_("Kept")\nngettext("%(num)s file", "%(num)s files", 2)\n')
    untranslated = i18n_catalogue.update("demo")

    with ru_path.open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    assert catalog["Kept"].string == "Оставлено"
    assert "Removed" not in catalog and "Removed" in catalog.obsolete
    assert catalog["%(num)s file"].id == ("%(num)s file", "%(num)s files")
    assert catalog["%(num)s file"].string == ("", "", "")
    assert untranslated == ["ru: ('%(num)s file', '%(num)s files')"]


def test_a_msgid_has_one_translation_across_catalogues() -> None:
    """Catalogues are merged, so two scopes translating one msgid differently would make the
    result depend on load order."""
    seen: dict[tuple[str, str | None, str], dict[str, object]] = {}
    for locale in LOCALES:
        for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                for message in read_po(handle, locale=locale):
                    if message.id and message.string:
                        key = (locale, message.context, str(message.id))
                        seen.setdefault(key, {})[path.name] = message.string
    conflicts = {k: v for k, v in seen.items() if len({str(s) for s in v.values()}) > 1}
    assert conflicts == {}
