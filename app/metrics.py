"""The portal's Prometheus instruments. Kernel-level so that any layer may count; the scrape
endpoint and the figures read from the database at scrape time live in `app.operations`.

With several worker processes, `PROMETHEUS_MULTIPROC_DIR` must be set before this module is
imported (`portal serve --workers N` does it); each process then writes its samples there and a
scrape sums them."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "portal_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by method and route template.",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_CHECKED_OUT = Gauge(
    "portal_db_pool_checked_out",
    "Database connections in use by this process.",
    multiprocess_mode="livesum",
)
ADMISSION_IN_USE = Gauge(
    "portal_admission_in_use",
    "Requests at work, by gate (reads, writes).",
    ("gate",),
    multiprocess_mode="livesum",
)
ADMISSION_WAITING = Gauge(
    "portal_admission_waiting",
    "Requests waiting to be admitted, by gate. Admitted requests never wait for a database "
    "connection, so this is where waiting for the pool shows.",
    ("gate",),
    multiprocess_mode="livesum",
)
ADMISSION_REFUSED = Counter(
    "portal_admission_refused_total",
    "Requests answered 503 because too many were waiting or they waited too long.",
)
LOGIN_THROTTLED = Counter(
    "portal_login_throttled_total",
    "Login and password-reset attempts refused by the throttle, by what was throttled.",
    ("scope",),
)
DELIVERIES = Counter(
    "portal_mail_deliveries_total",
    "Outbox deliveries attempted by the worker, by outcome.",
    ("outcome",),
)
