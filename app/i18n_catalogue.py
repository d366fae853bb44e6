"""Extract the translatable strings of one scope and keep its catalogues up to date.

    python -m app.i18n_catalogue membership      # app/membership, templates/membership, emails

Adds missing msgids to `app/locale/{ru,en}/LC_MESSAGES/<scope>.po` (English msgstr = msgid,
Russian left empty for a translator) and lists the strings still untranslated.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from app.config import PROJECT_ROOT
from app.i18n import LOCALE_DIR, LOCALES

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "pgettext": ((1, "c"), 2),
    "NC_": ((1, "c"), 2),
}
# A msgid with a context is keyed as "context\x04msgid", the way compiled catalogues store it.
CONTEXT_SEPARATOR = "\x04"
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}
CORE = "messages"


def scope_files(scope: str) -> Iterator[Path]:
    """The files whose strings belong to a scope; "messages" is everything outside a domain."""
    from app.domains import DOMAINS

    app_dir, templates = PROJECT_ROOT / "app", PROJECT_ROOT / "templates"
    if scope == CORE:
        yield from sorted(app_dir.glob("*.py"))
        yield from sorted(templates.glob("*.html"))
        yield from sorted((templates / "_macros").glob("*.html"))
        yield from sorted((templates / "emails").glob("_*"))
        return
    if scope not in DOMAINS:
        raise SystemExit(f"unknown scope {scope!r}; choose from {CORE}, {', '.join(DOMAINS)}")
    yield from sorted((app_dir / scope).rglob("*.py"))
    for folder in (templates / scope, templates / "emails" / scope):
        yield from sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt"))


def extract(scope: str) -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    found: dict[str | tuple[str, ...], list[tuple[str, int]]] = {}
    for path in scope_files(scope):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {} if method == "python" else JINJA_OPTIONS
        for lineno, message, _comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            key = message if isinstance(message, str) else tuple(m for m in message if m)
            if context and isinstance(key, str):
                key = f"{context}{CONTEXT_SEPARATOR}{key}"
            found.setdefault(key, []).append((str(path.relative_to(PROJECT_ROOT)), lineno))
    return found


def split_context(msgid: str | tuple[str, ...]) -> tuple[str | None, str | tuple[str, ...]]:
    if isinstance(msgid, str) and CONTEXT_SEPARATOR in msgid:
        context, plain = msgid.split(CONTEXT_SEPARATOR, 1)
        return context, plain
    return None, msgid


def update(scope: str) -> list[str]:
    messages = extract(scope)
    untranslated: list[str] = []
    for locale in LOCALES:
        path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{scope}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="Cluster Portal", charset="utf-8")
        for msgid, locations in messages.items():
            context, plain = split_context(msgid)
            key = plain[0] if isinstance(plain, tuple) else plain
            if context is None and key not in catalog and key in catalog.obsolete:
                catalog[key] = catalog.obsolete.pop(key)  # back in the source
            existing = catalog.get(key, context=context)
            if existing is not None and existing.pluralizable == isinstance(plain, tuple):
                if locale == "en" and existing.id != plain:
                    existing.string = plain
                existing.id = plain
                existing.locations = locations
                continue
            if existing is not None:  # became plural or singular: its translation no longer fits
                catalog.delete(existing.id, context=context)
            string: str | tuple[str, ...] = ""
            if locale == "en":
                string = plain
            elif isinstance(plain, tuple):
                string = ("",) * catalog.num_plurals
            catalog.add(plain, string, locations=locations, context=context)
        wanted = {m[0] if isinstance(m, tuple) else m for m in messages}
        for message in list(catalog):
            old_key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
            if message.context:
                old_key = f"{message.context}{CONTEXT_SEPARATOR}{old_key}"
            if message.id and old_key not in wanted:  # gone from the source: keep it commented
                catalog.obsolete[old_key] = message
                catalog.delete(message.id, context=message.context)
        for message in catalog:
            if message.id and (
                not message.string
                or (isinstance(message.string, tuple) and not all(message.string))
            ):
                untranslated.append(f"{locale}: {message.id!r}")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    return untranslated


if __name__ == "__main__":
    missing = update(sys.argv[1] if len(sys.argv) > 1 else CORE)
    print("\n".join(missing) if missing else "every string is translated")
