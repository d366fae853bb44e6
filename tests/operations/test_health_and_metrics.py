"""Operators' endpoints: liveness, readiness with the failing check named, Prometheus metrics
for allowed addresses only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app.config import get_settings
from app.db import Database, get_database, set_database
from tests.client import TestClient
from tests.factories import Factory


@pytest.fixture
def loopback(app: FastAPI, db: Database) -> Iterator[TestClient]:
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        yield client


def test_liveness_answers_without_the_database(client: TestClient) -> None:
    working = get_database()
    set_database(Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere"))
    try:
        response = client.get("/healthz")
    finally:
        set_database(working)
    assert (response.status_code, response.text) == (200, "ok")


def test_ready_when_the_database_answers_at_head_and_the_var_folder_takes_files(
    client: TestClient,
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "var_folder": "ok"},
    }


def test_not_ready_names_the_failing_check_and_no_secret(client: TestClient) -> None:
    working = get_database()
    set_database(Database("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nowhere"))
    try:
        response = client.get("/readyz")
    finally:
        set_database(working)
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "no answer"
    assert "s3cret" not in response.text and "127.0.0.1" not in response.text


def test_not_ready_while_the_schema_is_behind(client: TestClient, db: Database) -> None:
    with db.engine.begin() as connection:
        head = connection.scalar(text("SELECT version_num FROM alembic_version"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = client.get("/readyz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "schema is not at the migrations' head"


def test_not_ready_when_the_var_folder_takes_no_files(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("")
    monkeypatch.setattr(get_settings(), "var_dir", not_a_folder)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["var_folder"] == "not writable"


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_requests_by_route_template_and_read_the_database(
    loopback: TestClient, factory: Factory
) -> None:
    from tests.membership.helpers import submitted

    submitted(factory)
    key = (
        "portal_http_requests_total",
        (("method", "GET"), ("route", "/readyz"), ("status", "200")),
    )
    before = _samples(loopback).get(key, 0.0)
    loopback.get("/readyz")
    loopback.get("/readyz")
    after = _samples(loopback)
    assert after[key] == before + 2
    assert after[("portal_applications", (("status", "submitted"),))] == 1
    names = {name for name, _ in after}
    for expected in (
        "portal_http_request_duration_seconds_bucket",
        "portal_db_pool_checked_out",
        "portal_admission_waiting",
        "portal_admission_in_use",
        "portal_outbox_messages",
        "portal_outbox_oldest_pending_age_seconds",
        "portal_enrolments",
        "portal_meetings",
    ):
        assert expected in names, expected
    # Identifiers never become labels: a page of one application counts under its template.
    loopback.get("/applications/12345")
    assert any(
        dict(labels).get("route") == "/applications/{application_id}"
        for name, labels in _samples(loopback)
        if name == "portal_http_requests_total"
    )


def test_metrics_are_refused_to_addresses_not_allowed(app: FastAPI, db: Database) -> None:
    with TestClient(app, client=("203.0.113.7", 40000)) as outsider:
        response = outsider.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == 403
    assert "portal_" not in response.text
