"""`make bench`: every benchmark on SQLite and PostgreSQL, one Markdown report.

    .venv/bin/python -m bench.run [--scale 0.1] [--repeat 15] [--requests 300] [--sqlite-only]
    .venv/bin/python -m bench.run --throughput-only --target "library search" --rounds 5
    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432   (a database is created and dropped)

For each database: generate the data set at 1× (`--scale`) and at 10×; count the SQL statements
of every main page and JSON list at both sizes (equal, and at most 10); p50/p95 latency
in-process at both sizes; throughput of the staff applications list and the library search
served by the portal vs a bare Starlette reference (bench/reference_app.py) under the same
uvicorn settings, load from a separate process on loopback; on PostgreSQL `portal serve
--workers 1` and `--workers 2`. Writes bench/results/latest.md and prints it.

`--throughput-only` generates the 1× data set and measures only the throughput (of the
`--target`s), writing bench/results/latest-throughput.md; `--rounds N` alternates portal and
reference N times (default 3) and reports medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.generate import bench_token, create_pg_database, drop_pg_database, generate
from bench.routes import Measurement, measure_routes, route_ids

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
LIBRARY_QUERY = "/api/v1/library?q=%D0%BD%D0%B0%D0%BB%D0%BE%D0%B3%D0%BE%D0%B2%D0%B0%D1%8F+%D0%BB%D1%8C%D0%B3%D0%BE%D1%82%D0%B0&limit=20"  # noqa: E501  налоговая льгота


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        PORTAL_SECRET_KEY="bench-secret",
        PORTAL_VAR_DIR=str(workdir / "var"),
        PYTHONPATH=str(ROOT),
    )
    return env


@contextmanager
def server(command: list[str], url: str, workdir: Path, port: int, name: str) -> Any:
    """Start a server process, wait until it answers on loopback, stop it (by its own pid)."""
    log_file = open(workdir / f"{name}-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        command, env=_env(url, workdir), cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {log_file.name}") from None
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{name} did not start; see {log_file.name}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


def uvicorn_command(app: str, port: int, workers: int, *, factory: bool = False) -> list[str]:
    command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return command + (["--factory"] if factory else [])


def load(url: str, *, token: str | None, requests: int, concurrency: int) -> dict[str, float]:
    command = [PYTHON, "-m", "bench.load", url, "--requests", str(requests)]
    command += ["--concurrency", str(concurrency), "--max-seconds", "25"]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


# --- one database ------------------------------------------------------------------------------


def in_process(url: str, repeat: int) -> list[Measurement]:
    from app.config import get_settings
    from app.db import Database, set_database
    from app.library import service as library
    from app.main import create_app

    get_settings.cache_clear()
    library._popular_cache.clear()  # the tag cloud of the previous database
    database = Database(url)
    set_database(database)
    try:
        with database.session_scope(write=False) as session:
            ids = route_ids(session)
        return measure_routes(create_app(), database.engine, ids, repeat=repeat)
    finally:
        set_database(None)


def _better(first: list[Measurement], second: list[Measurement]) -> list[Measurement]:
    return [
        replace(a, p50_ms=min(a.p50_ms, b.p50_ms), p95_ms=min(a.p95_ms, b.p95_ms))
        for a, b in zip(first, second, strict=True)
    ]


TARGETS = {
    "applications (staff)": ("/api/v1/applications?limit=50", "staff"),
    "library search": (LIBRARY_QUERY, None),
}


def throughput(
    url: str, workdir: Path, requests: int, concurrency: int, *, targets: list[str], rounds: int
) -> dict[tuple[str, str], dict[str, float]]:
    """Portal vs reference, the same uvicorn settings (1 worker), one after the other, `rounds`
    times in alternation (on a shared machine a single pair is at the mercy of the neighbours).
    Each figure is the median over the rounds; `ratio` is the median of the rounds' ratios."""
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(rounds):
        for label, app, factory in (
            ("portal", "app.main:create_app", True),
            ("reference", "bench.reference_app:app", False),
        ):
            port = _free_port()
            with server(
                uvicorn_command(app, port, 1, factory=factory), url, workdir, port, label
            ) as base:
                for name in targets:
                    path, user = TARGETS[name]
                    runs.setdefault((label, name), []).append(
                        load(
                            base + path,
                            token=bench_token(user) if user else None,
                            requests=requests,
                            concurrency=concurrency,
                        )
                    )
    results: dict[tuple[str, str], dict[str, float]] = {}
    for (label, name), measured in runs.items():
        results[(label, name)] = {
            key: statistics.median(m[key] for m in measured) for key in measured[0]
        }
    for name in targets:
        portal, reference = runs[("portal", name)], runs[("reference", name)]
        results[("ratio", name)] = {
            "ratio": statistics.median(
                p["rps"] / r["rps"] if r["rps"] else 0.0
                for p, r in zip(portal, reference, strict=True)
            )
        }
    return results


def workers(
    url: str, workdir: Path, requests: int, concurrency: int, rounds: int
) -> dict[int, dict[str, float]]:
    """`portal serve --workers 1` and `--workers 2`, `rounds` times in alternation; medians."""
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for _ in range(rounds):
        for count in (1, 2):
            port = _free_port()
            command = [str(Path(PYTHON).parent / "portal"), "serve", "--port", str(port)]
            command += ["--workers", str(count)]
            with server(command, url, workdir, port, f"portal-serve-{count}") as base:
                runs[count].append(
                    load(
                        base + "/api/v1/applications?limit=50",
                        token=bench_token("staff"),
                        requests=requests * 2,
                        concurrency=concurrency,
                    )
                )
    return {
        count: {key: statistics.median(m[key] for m in measured) for key in measured[0]}
        for count, measured in runs.items()
    }


def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    urls: dict[str, str] = {}
    report: dict[str, Any] = {"kind": kind}
    try:
        sizes = [("1x", args.scale)]
        if not args.throughput_only:
            sizes.append(("10x", args.scale * 10))
        for label, scale in sizes:
            if kind == "sqlite":
                urls[label] = f"sqlite:///{workdir / f'bench-{label}.db'}"
            else:
                urls[label] = create_pg_database(args.pg_url, label)
            log(f"{kind}: generating {label} (scale {scale:g})")
            started = time.perf_counter()
            plan = generate(urls[label], scale=scale, seed=args.seed, today=date.today())
            report[f"generate {label}"] = (time.perf_counter() - started, plan.counts)
        # Two rounds in opposite orders, the better p50/p95 of each route kept: whatever warms
        # up or slows down during the run (caches, the machine) touches both sizes alike.
        for label in () if args.throughput_only else ("1x", "10x", "10x", "1x"):
            log(f"{kind}: query counts and latency at {label}")
            measured = in_process(urls[label], args.repeat)
            earlier = report.get(f"routes {label}")
            report[f"routes {label}"] = measured if earlier is None else _better(earlier, measured)
        log(f"{kind}: throughput, portal vs reference (1x data)")
        report["throughput"] = throughput(
            urls["1x"], workdir, args.requests, args.concurrency,
            targets=args.targets, rounds=args.rounds,
        )  # fmt: skip
        if kind == "postgresql" and not args.throughput_only:
            log(f"{kind}: portal serve --workers 1 and 2")
            report["workers"] = workers(
                urls["1x"], workdir, args.requests, args.concurrency, args.rounds
            )
    finally:
        if kind == "postgresql":
            for url in urls.values():
                drop_pg_database(url)
    return report


# --- the report ----------------------------------------------------------------------------------


def markdown(reports: list[dict[str, Any]], args: argparse.Namespace, seconds: float) -> str:
    lines = [
        "# Cluster Portal benchmarks",
        "",
        f"{date.today().isoformat()}; scale 1× = {args.scale:g} of the full data set (10× ="
        f" {args.scale * 10:g}); {platform.python_version()} on {os.cpu_count()} CPUs;"
        f" latency: best of two rounds (1×, 10×, 10×, 1×) of {args.repeat} in-process calls"
        f" per route; throughput: {args.requests} requests, {args.concurrency} concurrent,"
        f" 1 uvicorn worker; total {seconds:.0f} s.",
        "",
    ]
    for report in reports:
        kind = report["kind"]
        lines.append(f"## {kind}")
        lines.append("")
        for label in ("1x", "10x"):
            if f"generate {label}" not in report:
                continue
            spent, counts = report[f"generate {label}"]
            summary = ", ".join(f"{k} {v}" for k, v in counts.items())
            lines.append(f"- data {label}: {summary} (generated in {spent:.1f} s)")
        if "routes 1x" in report:
            lines += _latency_table(report)
        lines += _throughput_table(report, args)
        if "workers" in report:
            lines += _workers_table(report, args)
        lines.append("")
    return "\n".join(lines)


def _latency_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "| route | caller | SQL 1× | SQL 10× | p50 1× ms | p50 10× ms | p95 1× ms | p95 10× ms "
        "| growth p50 | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    small: list[Measurement] = report["routes 1x"]
    large: list[Measurement] = report["routes 10x"]
    for a, b in zip(small, large, strict=True):
        growth = b.p50_ms / a.p50_ms if a.p50_ms else 0.0
        problems = []
        if a.statements != b.statements:
            problems.append("N+1")
        if max(a.statements, b.statements) > a.route.budget:
            problems.append(f"> {a.route.budget} SQL")
        if a.status != 200 or b.status != 200:
            problems.append(f"HTTP {a.status}/{b.status}")
        if growth > 1.5:
            problems.append("slow growth")
        lines.append(
            f"| {a.route.name} | {a.route.actor or 'anonymous'} | {a.statements} |"
            f" {b.statements} | {a.p50_ms:.1f} | {b.p50_ms:.1f} | {a.p95_ms:.1f} |"
            f" {b.p95_ms:.1f} | ×{growth:.2f} | {', '.join(problems) or 'ok'} |"
        )
    return lines


def _throughput_table(report: dict[str, Any], args: argparse.Namespace) -> list[str]:
    rounds = f", median of {args.rounds} alternating rounds" if args.rounds > 1 else ""
    lines = [
        "",
        f"| throughput (1× data{rounds}) | portal rps | reference rps | ratio | portal p50 ms |"
        " reference p50 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    tp = report["throughput"]
    for name in args.targets:
        p, r = tp[("portal", name)], tp[("reference", name)]
        lines.append(
            f"| {name} | {p['rps']:.1f} | {r['rps']:.1f} | {tp[('ratio', name)]['ratio']:.2f} |"
            f" {p['p50_ms']:.1f} | {r['p50_ms']:.1f} | {int(p['errors'] + r['errors'])} |"
        )
    return lines


def _workers_table(report: dict[str, Any], args: argparse.Namespace) -> list[str]:
    w = report["workers"]
    scaling = w[2]["rps"] / w[1]["rps"] if w[1]["rps"] else 0.0
    lines = [
        "",
        "| `portal serve` on PostgreSQL, staff applications list"
        f" (median of {args.rounds} alternating rounds)"
        " | rps | p50 ms | p95 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for count in (1, 2):
        lines.append(
            f"| --workers {count} | {w[count]['rps']:.1f} | {w[count]['p50_ms']:.1f} |"
            f" {w[count]['p95_ms']:.1f} | {int(w[count]['errors'])} |"
        )
    lines.append(f"| 2 workers / 1 worker | ×{scaling:.2f} | | | |")
    return lines


def _pg_reachable(url: str) -> bool:
    from sqlalchemy.engine import make_url

    try:
        engine = create_engine(make_url(url).set(database="postgres"))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # any failure means "no PostgreSQL here"
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="Run every benchmark; write a Markdown report.")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 0.1)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="generate the 1x data set only and measure only portal vs reference throughput",
    )
    parser.add_argument(
        "--target",
        dest="targets",
        action="append",
        choices=list(TARGETS),
        help="throughput target (repeatable; default: all)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating portal/reference throughput rounds"
    )
    args = parser.parse_args()
    args.targets = args.targets or list(TARGETS)
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-secret")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_VAR_DIR"] = str(workdir / "var")
    kinds = ["sqlite"]
    if not args.sqlite_only:
        if _pg_reachable(args.pg_url):
            kinds.append("postgresql")
        else:
            log(f"PostgreSQL at {args.pg_url} is not reachable: SQLite only")
    reports = [bench_database(kind, args, workdir) for kind in kinds]
    text_report = markdown(reports, args, time.perf_counter() - started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    written = RESULTS / ("latest-throughput.md" if args.throughput_only else "latest.md")
    written.write_text(text_report, encoding="utf-8")
    print(text_report)
    log(f"written {written}")


if __name__ == "__main__":
    main()
