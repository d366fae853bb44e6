"""Full-text search over library items on PostgreSQL and SQLite, with the same result sets.

The query language is that of `websearch_to_tsquery`: words are ANDed, `"quoted words"` form a
phrase, `or` between two terms makes them alternatives, `-word` excludes. Every query is first
parsed here into plain word terms (anything that is not a letter or digit is a separator), so no
user input ever reaches either database's query syntax unquoted.

PostgreSQL: a tsvector (title A, tags B, summary + body + attachment text C) with the `russian`
configuration (Russian stemmer for Cyrillic, English for Latin words) under a GIN index; each term
goes through `websearch_to_tsquery`, terms are combined with `&&`, `||` and `!!`; ranked by
`ts_rank`.

SQLite: an FTS5 table holds the same three fields stemmed in Python with the same stop words
(Snowball Russian for Cyrillic tokens, English for Latin, ё → е); query terms are stemmed the same
way and quoted; ranked by `bm25` with weights mirroring A/B/C.

Snippets come from the original text on both, marking the words whose stems the query holds.
Visibility is a condition of the same SQL statement that matches, ranks, counts and pages.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Select,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from app.db import is_postgresql
from app.library.models import LibraryItem
from app.library.stopwords import ENGLISH, RUSSIAN

MAX_TERMS = 32
MAX_QUERY_CHARS = 10_000
MAX_INDEXED_CHARS = 200_000
SNIPPET_WORDS = 30
# A search ranks and counts at most this many matches, the newest (see `search`), so that neither
# grows with the library; a common word reports RANK_CAP matches ("1000+").
RANK_CAP = 1000
# PostgreSQL first looks for those matches among this many newest items (see `search`).
RECENT_WINDOW = 20_000
_BM25_WEIGHTS = "10.0, 4.0, 1.0"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_QUERY_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


# --- text processing --------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    """PyStemmer's compiled stemmer when it is installed (it is a dependency), the pure Python
    one otherwise: the same algorithm and stems, 75 times slower."""
    import snowballstemmer  # loaded with the first search, not with every process

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
    return func.websearch_to_tsquery(
        literal_column("'russian'::regconfig"), bindparam(f"term_{index}", _pg_value(term))
    )


def _pg_value(term: Term) -> str:
    return f'"{term.raw}"' if len(term.stems) > 1 else term.raw


def _pg_values(parsed: ParsedQuery) -> dict[str, str]:
    """The values of pg_tsquery's parameters, numbered as it numbers them."""
    terms = [term for group in parsed.groups for term in group] + parsed.excluded
    return {f"term_{n}": _pg_value(term) for n, term in enumerate(terms)}


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
class SearchResult:
    """One page of matching ids, best first; the number of matches (at most RANK_CAP); the stems
    that the snippets highlight."""

    item_ids: list[int]
    total: int
    wanted: frozenset[str]


def search(
    session: Session,
    *,
    query: str,
    conditions: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> SearchResult:
    """Items matching `query` and all `conditions` (visibility, filters), best first.

    Only the RANK_CAP newest matches that the conditions admit are ranked and counted: scoring
    every match of a common word costs time in proportion to the library (on PostgreSQL
    `ts_rank` reads each match's whole tsvector), so past the cap the results are the best of the
    newest RANK_CAP matches and the total is RANK_CAP ("1000+"). One statement finds, ranks,
    counts and pages (on PostgreSQL a second one when the newest items hold fewer matches)."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return SearchResult([], 0, frozenset())
    wanted = frozenset(s for group in parsed.groups for term in group for s in term.stems)
    postgresql = is_postgresql(session)
    params: dict[str, Any] = {"page_limit": limit, "page_offset": offset}
    params.update(_pg_values(parsed) if postgresql else {"match": fts5_match(parsed)})
    # PostgreSQL looks among the RECENT_WINDOW newest items first: when they hold RANK_CAP
    # matches, those are the newest matches of the whole library, found without visiting the
    # row of every older match; otherwise the whole library is searched.
    item_ids, total = _search_page(session, _statements(postgresql, parsed, conditions), params)
    if postgresql and total < RANK_CAP:
        statements = _statements(postgresql, parsed, conditions, recent_only=False)
        item_ids, total = _search_page(session, statements, params)
    return SearchResult(item_ids, total, wanted)


def _search_page(
    session: Session, statements: tuple[Select[Any], FromClause], params: dict[str, Any]
) -> tuple[list[int], int]:
    """One page of ids and the number of candidates (counted apart past the last page)."""
    page, candidates = statements
    rows = session.execute(page, params).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    if not params["page_offset"]:
        return [], 0
    return [], session.scalar(select(func.count()).select_from(candidates), params) or 0


# Building the statement costs more CPU than the database spends on a small library, so it is
# built once for each shape of query (the number of terms per group and of excluded terms),
# conditions (structure and values, e.g. visibility) and cap; the terms, page limit and offset
# are parameters.
_STATEMENTS: dict[Hashable, tuple[Select[Any], FromClause]] = {}
_STATEMENTS_KEPT = 256


def _statements(
    postgresql: bool,
    parsed: ParsedQuery,
    conditions: list[ColumnElement[bool]],
    *,
    recent_only: bool = True,
) -> tuple[Select[Any], FromClause]:
    recent_only = recent_only and postgresql
    shape = (tuple(len(group) for group in parsed.groups), len(parsed.excluded))
    key = _conditions_key(conditions)
    if key is None:
        return _build(postgresql, parsed, conditions, recent_only)
    full_key = (postgresql, shape if postgresql else (), RANK_CAP, RECENT_WINDOW, recent_only, key)
    found = _STATEMENTS.get(full_key)
    if found is None:
        found = _build(postgresql, parsed, conditions, recent_only)
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:
            _STATEMENTS.clear()
        _STATEMENTS[full_key] = found
    return found


def _conditions_key(conditions: list[ColumnElement[bool]]) -> Hashable | None:
    """The conditions' structure and every value bound in them, or None if not cacheable."""
    parts: list[Hashable] = []
    for condition in conditions:
        cache_key = condition._generate_cache_key()
        if cache_key is None:
            return None
        parts.append((cache_key.key, tuple(bind.effective_value for bind in cache_key.bindparams)))
    key = tuple(parts)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _build(
    postgresql: bool, parsed: ParsedQuery, conditions: list[ColumnElement[bool]], recent_only: bool
) -> tuple[Select[Any], FromClause]:
    if postgresql:
        candidates, order = _candidates_postgresql(parsed, conditions, recent_only)
    else:
        candidates, order = _candidates_sqlite(parsed, conditions)
    page = (
        select(candidates.c.item_id, func.count().over())
        .order_by(*order)
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )
    return page, candidates


def _rank_cap() -> ColumnElement[int]:
    """The cap written into the SQL, not bound: PostgreSQL plans a prepared statement once for any
    parameters after a few runs, and a LIMIT it cannot see made it pick a sequential scan that
    matches the query against every row's tsvector (45 ms on 5k items instead of 2 ms)."""
    return literal_column(str(int(RANK_CAP)), Integer)


def _candidates_postgresql(
    parsed: ParsedQuery, conditions: list[ColumnElement[bool]], recent_only: bool
) -> tuple[FromClause, list[ColumnElement[Any]]]:
    tsquery = pg_tsquery(parsed)
    # `id + 0`: with the bare id, PostgreSQL would walk the primary key (backwards, or over the
    # recent window) and test every row's tsvector, instead of using the GIN index; the index
    # ix_library_items_search_recent holds `id + 0` beside the vector for the window.
    id_plus_0 = LibraryItem.id + literal_column("0", Integer)
    where = [LibraryItem.search_vector.op("@@")(tsquery), *conditions]
    if recent_only:
        newest_id = select(func.max(LibraryItem.id)).scalar_subquery()
        where.append(id_plus_0 > newest_id - literal_column(str(RECENT_WINDOW), Integer))
    newest = (
        select(LibraryItem.id.label("item_id"), LibraryItem.search_vector.label("vector"))
        .where(*where)
        .order_by(id_plus_0.desc())
        .limit(_rank_cap())
        .subquery("newest")
    )
    rank = func.ts_rank(newest.c.vector, tsquery)
    candidates = select(newest.c.item_id, rank.label("rank")).subquery("candidates")
    return candidates, [candidates.c.rank.desc(), candidates.c.item_id.desc()]


_FTS = table("library_fts", column("rowid", Integer))


def _candidates_sqlite(
    parsed: ParsedQuery, conditions: list[ColumnElement[bool]]
) -> tuple[FromClause, list[ColumnElement[Any]]]:
    # The full-text table drives: it yields matches newest first (rowid order, which FTS5 reads
    # backwards natively), each is checked against the conditions by its primary key, and bm25
    # is computed only for the rows kept. Joined instead, SQLite may walk an index on a
    # condition and probe the FTS table once per row, which took seconds on 10k items.
    admitted = exists().where(LibraryItem.id == _FTS.c.rowid, *conditions)
    matches = literal_column("library_fts").op("MATCH")(bindparam("match", fts5_match(parsed)))
    candidates = (
        select(
            _FTS.c.rowid.label("item_id"),
            literal_column(f"bm25(library_fts, {_BM25_WEIGHTS})", Float).label("rank"),
        )
        .where(matches, admitted)
        .order_by(_FTS.c.rowid.desc())
        .limit(_rank_cap())
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    return candidates, [candidates.c.rank, candidates.c.item_id.desc()]


_TOKEN = re.compile(r"\S+")


def snippet_from(original: str, wanted: frozenset[str] | set[str]) -> Markup:
    """A window of the original text around the first matching word, matches in <mark>."""
    text_value = original[:MAX_INDEXED_CHARS]
    every_word = _WORD.findall(text_value)
    # The first word whose stem is wanted (lazily, at C speed); its first occurrence as a whole
    # word is where the match is.
    word = next(compress(every_word, map(wanted.__contains__, map(stem, every_word))), None)
    first = -1
    if word is not None:
        found = re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text_value)
        first = found.start() if found else -1
    tokens = _TOKEN.finditer(text_value)
    window: list[str] = []
    skipped = 0
    if first >= 0:
        recent: deque[str] = deque(maxlen=SNIPPET_WORDS // 3)  # the words before the match
        for token in tokens:
            if token.end() > first:
                window = [*recent, token.group()]
                break
            if len(recent) == recent.maxlen:
                skipped += 1
            recent.append(token.group())
    more = False
    for token in tokens:
        if len(window) == SNIPPET_WORDS:
            more = True
            break
        window.append(token.group())

    def marked(token: str) -> str:
        if token.isalnum():  # one word, nothing to escape
            return f"<mark>{token}</mark>" if stem(token) in wanted else token
        if any(stem(w) in wanted for w in _WORD.findall(token)):
            return f"<mark>{escape(token)}</mark>"
        return str(escape(token))

    parts = " ".join(marked(token) for token in window)
    return Markup(("… " if skipped else "") + parts + (" …" if more else ""))


def plain_snippet(value: str, length: int = 240) -> Markup:
    value = " ".join(value.split())
    return escape(value if len(value) <= length else value[: length - 1].rstrip() + "…")
