"""Every user-facing string has a Russian and an English translation."""

from __future__ import annotations

import pytest

from app.domains import DOMAINS
from app.i18n import LOCALES, translations_for
from app.i18n_catalogue import CORE, extract


@pytest.mark.parametrize("scope", [CORE, *DOMAINS])
def test_every_msgid_is_translated_in_both_catalogues(scope: str) -> None:
    missing = []
    for locale in LOCALES:
        translations = translations_for(locale)
        for msgid in extract(scope):
            if isinstance(msgid, tuple):
                translated = translations.ngettext(msgid[0], msgid[1], 5) != msgid[1] or locale == "en"
                known = msgid[0] in translations._catalog or (msgid[0], 0) in translations._catalog  # type: ignore[attr-defined]
            else:
                known = msgid in translations._catalog  # type: ignore[attr-defined]
                translated = known
            if not (known and translated):
                missing.append(f"{locale}: {msgid!r}")
    assert missing == []
