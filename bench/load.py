"""A small bounded load generator (asyncio + httpx), run as its own process.

    .venv/bin/python -m bench.load http://127.0.0.1:8100/api/v1/applications \
        --requests 400 --concurrency 8 --header "Authorization: Bearer ..."

Sends at most `--requests` GETs (and stops after `--max-seconds`) to one loopback URL, then
prints one JSON line: requests, errors, seconds, rps, p50_ms, p95_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from urllib.parse import urlparse

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


async def run(
    url: str, *, requests: int, concurrency: int, headers: dict[str, str], max_seconds: float
) -> dict[str, float]:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit("the load generator only targets loopback addresses")
    timings: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.perf_counter() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        # warm-up: one request per connection, not counted
        await asyncio.gather(*(client.get(url) for _ in range(concurrency)))

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                timings.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    timings.sort()
    return {
        "requests": len(timings),
        "errors": errors,
        "seconds": round(seconds, 3),
        "rps": round(len(timings) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(statistics.median(timings), 2) if timings else 0.0,
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2) if timings else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    result = asyncio.run(
        run(
            args.url,
            requests=args.requests,
            concurrency=args.concurrency,
            headers=headers,
            max_seconds=args.max_seconds,
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
