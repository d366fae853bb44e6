"""The audit chain: sealed with a keyed hash (at the commit on SQLite, right after it on
PostgreSQL), checked against a head kept elsewhere, and written without a lock that every audited
write would wait for."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from app import audit
from app.audit import AuditEntry, Head, verify_chain
from app.cli import cli
from tests.factories import Factory


def _some_history(factory: Factory) -> None:
    for _ in range(3):
        factory.actor()


def test_rows_are_sealed_in_order_and_the_chain_verifies(factory: Factory) -> None:
    _some_history(factory)
    with factory.database.session_scope(write=False) as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        report = verify_chain(session)
    assert rows and [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.hash and r.prev_hash for r in rows)
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert report.ok and report.checked == len(rows) and report.pending == 0


def test_removing_the_newest_rows_is_detected_against_the_head_kept(factory: Factory) -> None:
    _some_history(factory)
    runner = CliRunner()
    printed = runner.invoke(cli, ["audit", "head"])
    assert printed.exit_code == 0, printed.output
    kept = Head.parse(printed.output)
    with factory.database.session_scope() as session:
        assert kept == audit.head(session)
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= kept.seq - 1))

    with factory.database.session_scope(write=False) as session:
        assert verify_chain(session).ok  # a shorter chain is still a valid chain
        report = verify_chain(session, expect=kept)
    assert not report.ok and "removed" in (report.reason or "")
    checked = runner.invoke(cli, ["audit", "verify", "--expect", str(kept)])
    assert checked.exit_code == 1 and "removed" in checked.output


def test_the_kept_head_passes_and_a_different_one_fails(factory: Factory) -> None:
    _some_history(factory)
    with factory.database.session_scope(write=False) as session:
        kept = audit.head(session)
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", "verify", "--expect", str(kept)]).exit_code == 0
    forged = Head(kept.seq, "f" * 64)
    result = runner.invoke(cli, ["audit", "verify", "--expect", str(forged)])
    assert result.exit_code == 1 and "differs" in result.output
    assert runner.invoke(cli, ["audit", "verify", "--expect", "nonsense"]).exit_code == 2


def test_a_row_rewritten_and_rehashed_without_the_key_is_detected(factory: Factory) -> None:
    _some_history(factory)
    with factory.database.session_scope() as session:
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert newest is not None
        # What someone with the database but not the secret key could do: rewrite the row and
        # give it a fresh unkeyed hash.
        forged = hashlib.sha256(f"{newest.prev_hash}tampered".encode()).hexdigest()
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == newest.id)
            .values(data={"tampered": True}, hash=forged)
        )
    with factory.database.session_scope(write=False) as session:
        report = verify_chain(session)
    assert not report.ok and report.first_broken_id == newest.id


def test_clearing_client_addresses_keeps_the_seals(factory: Factory) -> None:
    actor = factory.actor(login=True)
    actor.api.get("/api/v1/me")
    with factory.database.session_scope() as session:
        assert session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.actor_id == actor.id, AuditEntry.ip_address.is_not(None)
            )
        )
        audit.forget_addresses(session, actor_id=actor.id)
    with factory.database.session_scope(write=False) as session:
        assert not session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.ip_address.is_not(None))
        )
        assert verify_chain(session).ok


def test_an_audited_write_does_not_wait_for_another_open_one(factory: Factory) -> None:
    """A transaction that wrote an audit row and has not committed holds nothing that another
    audited write needs; the rows are chained in the order they are sealed."""
    if factory.database.is_sqlite:
        pytest.skip("SQLite has one writer at a time by design; the chain adds no lock to it")
    first = factory.database.write_sessions()
    audit.record(first, actor_id=None, action="test.first", entity_type="test")
    finished = threading.Event()

    def second_writer() -> None:
        with factory.database.session_scope() as session:
            audit.record(session, actor_id=None, action="test.second", entity_type="test")
        finished.set()

    writer = threading.Thread(target=second_writer)
    writer.start()
    try:
        assert finished.wait(timeout=5), "the second audited write waited for the first"
    finally:
        first.commit()
        first.close()
        writer.join()
    audit.seal_pending()
    with factory.database.session_scope(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "test")
            .order_by(AuditEntry.seq)
        ).all()
        report = verify_chain(session)
    assert actions == ["test.second", "test.first"]
    assert report.ok and report.pending == 0
