"""Full-text search over library items on PostgreSQL and SQLite, with the same result sets.

The query language is that of `websearch_to_tsquery`: words are ANDed, `"quoted words"` form a
phrase, `or` between two terms makes them alternatives, `-word` excludes. Every query is first
parsed here into plain word terms (anything that is not a letter or digit is a separator), so no
user input ever reaches either database's query syntax unquoted.

PostgreSQL: a tsvector (title A, tags B, summary + body + attachment text C) with the `russian`
configuration (Russian stemmer for Cyrillic, English for Latin words) under a GIN index; each term
goes through `websearch_to_tsquery`, terms are combined with `&&`, `||` and `!!`; ranked by
`ts_rank`; `ts_headline` runs only for the rows of the page shown.

SQLite: an FTS5 table holds the same three fields stemmed in Python with the same stop words
(Snowball Russian for Cyrillic tokens, English for Latin, ё → е); query terms are stemmed the same
way and quoted; ranked by `bm25` with weights mirroring A/B/C; snippets come from the original text.

Visibility is a condition of the same SQL statement that matches, counts and pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.library.models import LibraryItem
from app.library.stopwords import ENGLISH, RUSSIAN

MAX_TERMS = 32
MAX_QUERY_CHARS = 10_000
MAX_INDEXED_CHARS = 200_000
SNIPPET_WORDS = 30
# Counting every match of a common word costs as much as the search itself; past this many the
# total is reported as COUNT_CAP ("1000+"), so the count no longer grows with the library.
COUNT_CAP = 1000
_BM25_WEIGHTS = "10.0, 4.0, 1.0"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_QUERY_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_START, _STOP = "\x02", "\x03"


# --- text processing --------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=65536)
def stem(word: str) -> str | None:
    """The index form of one word, or None for a stop word: lower case, ё → е, then the Russian
    stemmer for words with Cyrillic letters, the English one for other letters, none with digits."""
    lowered = word.lower()
    if any(ch.isdigit() for ch in lowered):
        return lowered.replace("ё", "е")
    if _CYRILLIC.search(lowered):
        if lowered in RUSSIAN:
            return None
        return str(_stemmer("russian").stemWord(lowered.replace("ё", "е")))
    if lowered in ENGLISH:
        return None
    return str(_stemmer("english").stemWord(lowered))


def words(text_value: str) -> list[str]:
    return _WORD.findall(text_value)


def stems(text_value: str) -> list[str]:
    return [s for s in (stem(w) for w in words(text_value)) if s]


def stemmed_text(text_value: str) -> str:
    return " ".join(stems(text_value[:MAX_INDEXED_CHARS]))


# --- the query --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word or phrase: `raw` is what PostgreSQL is given, `stems` what SQLite matches."""

    raw: str
    stems: tuple[str, ...]


@dataclass
class ParsedQuery:
    groups: list[list[Term]] = field(default_factory=list)  # AND of (OR of terms)
    excluded: list[Term] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def _term(content: str) -> Term | None:
    all_words = words(content)
    found = tuple(s for s in (stem(w) for w in all_words) if s)
    if not found:
        return None
    # PostgreSQL gets the stop words too: they keep the distances inside a phrase.
    return Term(" ".join(all_words), found)


def parse_query(query: str) -> ParsedQuery:
    """Split a websearch-style query into terms. Punctuation separates words; a term that holds
    only stop words is dropped; a query with no positive term matches nothing."""
    parsed = ParsedQuery()
    pending_or = False
    count = 0
    for match in _QUERY_TOKEN.finditer(query[:MAX_QUERY_CHARS]):
        if count >= MAX_TERMS:
            break
        phrase, bare = match.group(1), match.group(2)
        if phrase is None and bare is not None and bare.lower() == "or":
            pending_or = bool(parsed.groups)
            continue
        negated = phrase is None and bare is not None and bare.startswith("-")
        content = phrase if phrase is not None else (bare or "")
        if negated:
            content = content[1:]
        if phrase is None and not negated and len(words(content)) > 1:
            # "ИТ-компании" or "e-mail": each word its own term, as the parts PostgreSQL indexes.
            terms = [t for t in (_term(w) for w in words(content)) if t]
        else:
            single = _term(content)
            terms = [single] if single else []
        for term in terms:
            count += 1
            if negated:
                parsed.excluded.append(term)
            elif pending_or and parsed.groups:
                parsed.groups[-1].append(term)
            else:
                parsed.groups.append([term])
            pending_or = False
    return parsed


def fts5_match(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression: every stem double-quoted (stems hold only letters and digits)."""

    def quoted(term: Term) -> str:
        return '"' + " ".join(term.stems) + '"'

    clause = " AND ".join(
        "(" + " OR ".join(quoted(t) for t in group) + ")" for group in parsed.groups
    )
    if parsed.excluded:
        clause = f"({clause}) NOT (" + " OR ".join(quoted(t) for t in parsed.excluded) + ")"
    return clause


def _pg_term(term: Term, index: int) -> ColumnElement[object]:
    value = f'"{term.raw}"' if len(term.stems) > 1 else term.raw
    return func.websearch_to_tsquery(
        literal_column("'russian'::regconfig"), bindparam(f"term_{index}", value)
    )


def pg_tsquery(parsed: ParsedQuery) -> ColumnElement[object]:
    counter = iter(range(10_000))
    combined: ColumnElement[object] | None = None
    for group in parsed.groups:
        alternatives: ColumnElement[object] | None = None
        for term in group:
            part = _pg_term(term, next(counter))
            alternatives = part if alternatives is None else alternatives.op("||")(part)
        assert alternatives is not None
        combined = alternatives if combined is None else combined.op("&&")(alternatives)
    assert combined is not None
    for term in parsed.excluded:
        combined = combined.op("&&")(func.tsquery_not(_pg_term(term, next(counter))))
    return combined


# --- indexing ---------------------------------------------------------------------------------


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _pg_vector() -> str:
    return (
        "setweight(to_tsvector('russian'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('russian'::regconfig, coalesce(search_tags, '')), 'B') || "
        f"setweight(to_tsvector('russian'::regconfig, left(coalesce(search_text, ''), "
        f"{MAX_INDEXED_CHARS})), 'C')"
    )


def index_item(session: Session, item: LibraryItem) -> None:
    """Bring the item's search index entry up to date with its search columns."""
    session.flush()
    if is_postgresql(session):
        session.execute(
            text(f"UPDATE library_items SET search_vector = {_pg_vector()} WHERE id = :id"),
            {"id": item.id},
        )
        return
    session.execute(text("DELETE FROM library_fts WHERE rowid = :id"), {"id": item.id})
    session.execute(
        text("INSERT INTO library_fts (rowid, title, tags, body) VALUES (:id, :t, :g, :b)"),
        {
            "id": item.id,
            "t": stemmed_text(item.title),
            "g": stemmed_text(item.search_tags),
            "b": stemmed_text(item.search_text or ""),
        },
    )


def reindex_all(session: Session, *, batch_size: int = 500) -> int:
    """Rebuild the whole index from the search columns; returns the number of items."""
    total = session.scalar(select(func.count()).select_from(LibraryItem)) or 0
    if is_postgresql(session):
        session.execute(text(f"UPDATE library_items SET search_vector = {_pg_vector()}"))
        return total
    session.execute(text("DELETE FROM library_fts"))
    last_id = 0
    while True:
        rows = session.execute(
            select(
                LibraryItem.id, LibraryItem.title, LibraryItem.search_tags, LibraryItem.search_text
            )
            .where(LibraryItem.id > last_id)
            .order_by(LibraryItem.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return total
        session.execute(
            text("INSERT INTO library_fts (rowid, title, tags, body) VALUES (:id, :t, :g, :b)"),
            [
                {
                    "id": r.id,
                    "t": stemmed_text(r.title),
                    "g": stemmed_text(r.search_tags),
                    "b": stemmed_text(r.search_text or ""),
                }
                for r in rows
            ],
        )
        last_id = rows[-1].id


# --- searching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    item_id: int
    snippet: Markup


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int


def search(
    session: Session,
    *,
    query: str,
    conditions: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> SearchResult:
    """Items matching `query` and all `conditions` (visibility, filters), best first."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return SearchResult([], 0)
    if is_postgresql(session):
        return _search_postgresql(session, parsed, conditions, limit, offset)
    return _search_sqlite(session, parsed, conditions, limit, offset)


def _page(
    session: Session, statement: Select[Any], limit: int, offset: int
) -> tuple[list[int], int]:
    """One page of ids and the number of matches, counted up to COUNT_CAP (the count reads only
    the ids, without computing the rank, and stops at the cap)."""
    matching = statement.order_by(None).with_only_columns(LibraryItem.id).limit(COUNT_CAP)
    total = session.scalar(select(func.count()).select_from(matching.subquery()))
    ids: list[int] = list(session.scalars(statement.limit(limit).offset(offset)))
    return ids, total or 0


def _search_postgresql(
    session: Session,
    parsed: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> SearchResult:
    tsquery = pg_tsquery(parsed)
    rank = func.ts_rank(LibraryItem.search_vector, tsquery)
    statement = (
        select(LibraryItem.id, rank.label("rank"))
        .where(LibraryItem.search_vector.op("@@")(tsquery), *conditions)
        .order_by(rank.desc(), LibraryItem.id.desc())
    )
    ids, total = _page(session, statement, limit, offset)
    if not ids:
        return SearchResult([], total)
    headline = func.ts_headline(
        literal_column("'russian'::regconfig"),
        func.left(LibraryItem.search_text, 20_000),
        tsquery,
        f"StartSel={_START}, StopSel={_STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "',
    )
    headlines = {
        row[0]: row[1]
        for row in session.execute(select(LibraryItem.id, headline).where(LibraryItem.id.in_(ids)))
    }
    return SearchResult([Hit(i, _marked(str(headlines.get(i) or ""))) for i in ids], total)


def _search_sqlite(
    session: Session,
    parsed: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> SearchResult:
    matches = (
        text(
            f"SELECT rowid AS item_id, bm25(library_fts, {_BM25_WEIGHTS}) AS rank "
            "FROM library_fts WHERE library_fts MATCH :match"
        )
        .bindparams(match=fts5_match(parsed))
        .columns(item_id=Integer, rank=Float)
        # Materialised, so SQLite always starts from the full-text matches: left to itself it
        # may walk an index on a condition (visibility, category) and probe the FTS table once
        # per row, which took seconds on 10k items.
        .cte("fts")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        select(LibraryItem.id, matches.c.rank)
        .join(matches, matches.c.item_id == LibraryItem.id)
        .where(and_(True, *conditions))
        .order_by(matches.c.rank, LibraryItem.id.desc())
    )
    ids, total = _page(session, statement, limit, offset)
    if not ids:
        return SearchResult([], total)
    texts = {
        row[0]: row[1]
        for row in session.execute(
            select(LibraryItem.id, LibraryItem.search_text).where(LibraryItem.id.in_(ids))
        )
    }
    wanted = {s for group in parsed.groups for term in group for s in term.stems}
    return SearchResult([Hit(i, snippet_from(texts.get(i) or "", wanted)) for i in ids], total)


def snippet_from(original: str, wanted: set[str]) -> Markup:
    """A window of the original text around the first matching word, matches in <mark>."""
    tokens = list(re.finditer(r"\S+", original[:MAX_INDEXED_CHARS]))
    if not tokens:
        return Markup("")

    def hits(token: str) -> bool:
        return any(stem(w) in wanted for w in words(token))

    first = next((n for n, t in enumerate(tokens) if hits(t.group())), 0)
    start = max(0, first - SNIPPET_WORDS // 3)
    window = tokens[start : start + SNIPPET_WORDS]
    parts = [
        Markup("<mark>%s</mark>") % t.group() if hits(t.group()) else escape(t.group())
        for t in window
    ]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return Markup(prefix) + Markup(" ").join(parts) + Markup(suffix)


def _marked(headline: str) -> Markup:
    escaped = str(escape(headline))
    return Markup(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def plain_snippet(value: str, length: int = 240) -> Markup:
    value = " ".join(value.split())
    return escape(value if len(value) <= length else value[: length - 1].rstrip() + "…")
