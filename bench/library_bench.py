"""Library search benchmark: 10k and 100k generated ru/en items on SQLite and PostgreSQL.

    .venv/bin/python -m bench.library_bench [--sizes 10000,100000] [--queries 200]
    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres  (a database named
    portal_bench_<n> is created on that server and dropped afterwards; unset: SQLite only)

Prints the p50/p95 latency of a top-20 search (the same service call as the API, with snippets)
and the 10k → 100k growth ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench.generate import (
    EN_ENDINGS,
    EN_REAL,
    EN_SYLLABLES,
    QUERIES,
    RU_ENDINGS,
    RU_REAL,
    RU_SYLLABLES,
    Vocabulary,
)

CATEGORIES = ["it_industry", "technology", "regulation", "financing"]


def build(url: str, size: int) -> None:
    from app import migrations
    from app.library.models import LibraryItem, LibraryTag
    from app.library.search import reindex_all

    migrations.upgrade(url)
    from app.db import Database

    database = Database(url)
    rng = random.Random(size)
    # Zipf-like vocabularies in which the searched words are a few per cent of the text, as in a
    # real library (a 30-word vocabulary put every query word in every item).
    vocabularies = {
        True: Vocabulary.build(rng, RU_REAL, RU_SYLLABLES, RU_ENDINGS),
        False: Vocabulary.build(rng, EN_REAL, EN_SYLLABLES, EN_ENDINGS),
    }
    batch = 2000
    with database.session_scope() as session:
        for start in range(0, size, batch):
            rows, tags = [], []
            for n in range(start, min(size, start + batch)):
                russian = n % 2 == 0
                vocabulary = vocabularies[russian]
                words = vocabulary.words[:300]
                rows.append(
                    {
                        "id": n + 1, "kind": "article",
                        "title": vocabulary.text(rng, 6).capitalize(),
                        "summary": "", "body": "", "language": "ru" if russian else "en",
                        "category": rng.choice(CATEGORIES),
                        "visibility": "members" if n % 10 == 0 else "public",
                        "attachment_text": "", "version": 1,
                        "search_tags": " ".join(rng.sample(words, 2)),
                        "search_text": vocabulary.text(rng, 120),
                    }
                )  # fmt: skip
                tags.append({"item_id": n + 1, "tag": rng.choice(words)})
            session.execute(insert(LibraryItem), rows)
            session.execute(insert(LibraryTag), tags)
        reindex_all(session)
        if not database.is_sqlite:
            session.execute(text("ANALYZE library_items"))
    database.dispose()


def measure(url: str, queries: int) -> tuple[float, float]:
    from app.db import Database
    from app.library import service
    from app.pagination import Paging

    database = Database(url)
    timings = []
    with database.session_scope(write=False) as session:
        for n in range(queries):
            q = QUERIES[n % len(QUERIES)]
            started = time.perf_counter()
            service.list_items(session, user=None, q=q, paging=Paging(20, 0))
            timings.append((time.perf_counter() - started) * 1000)
    database.dispose()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def _pg_database(base: str, size: int) -> tuple[str, object]:
    url = make_url(base)
    name = f"portal_bench_{size}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), (admin, name)


def _drop(handle: object) -> None:
    admin, name = handle  # type: ignore[misc]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench")
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("BENCH_PG_URL") else [])
    workdir = Path(tempfile.mkdtemp(prefix="library-bench-"))
    for backend in backends:
        results = {}
        for size in sizes:
            handle = None
            if backend == "sqlite":
                url = f"sqlite:///{workdir / f'bench_{size}.db'}"
            else:
                url, handle = _pg_database(os.environ["BENCH_PG_URL"], size)
            try:
                started = time.perf_counter()
                build(url, size)
                built = time.perf_counter() - started
                p50, p95 = measure(url, args.queries)
            finally:
                if handle is not None:
                    _drop(handle)
            results[size] = p50
            print(
                f"{backend:10} {size:>7} items  build {built:6.1f} s  "
                f"top-20 search p50 {p50:7.2f} ms  p95 {p95:7.2f} ms",
                flush=True,
            )
        if len(sizes) >= 2:
            ratio = results[sizes[-1]] / results[sizes[0]]
            print(f"{backend:10} growth {sizes[0]}→{sizes[-1]}: p50 ×{ratio:.2f}", flush=True)


if __name__ == "__main__":
    main()
