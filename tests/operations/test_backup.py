"""`portal backup` → `portal restore` gives back every row and every file, on SQLite and
PostgreSQL; an archive made before the last migration is restored and migrated forward."""

from __future__ import annotations

import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from app import migrations
from app.config import get_settings
from app.db import Base, Database, build_engine
from app.operations.backup import BackupError, create_backup, restore_backup
from tests.factories import Factory
from tests.membership.helpers import PDF, submitted
from tests.test_migrations import scratch_database


def _populate(factory: Factory) -> None:
    case = submitted(factory)
    uploaded = case.applicant.api.post(
        f"{case.url}/attachments", files={"file": ("plan.pdf", PDF, "application/pdf")}
    )
    assert uploaded.status_code in (201, 409), uploaded.text  # 409: submitted applications
    factory.actor()  # another user, with an audit trail of their own


def _all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_a_backup_restores_every_row_and_file_and_the_audit_chain(
    factory: Factory, db: Database, tmp_path: Path
) -> None:
    _populate(factory)
    uploads = get_settings().upload_dir
    (uploads / "library").mkdir(parents=True, exist_ok=True)
    (uploads / "library" / "guide.pdf").write_bytes(PDF)
    archive, manifest = create_backup(db.url, uploads, tmp_path)
    assert archive.name.startswith("portal-backup-") and archive.suffixes[-2:] == [".tar", ".gz"]
    assert manifest.counts["membership_applications"] == 1
    assert manifest.counts["users"] >= 2 and manifest.audit_head != "0:" + "0" * 64
    assert "files/library/guide.pdf" in manifest.checksums

    with scratch_database(tmp_path) as target:
        restored_uploads = tmp_path / "restored" / "uploads"
        restore_backup(target, restored_uploads, archive, force=False)
        assert _all_rows(target) == _all_rows(db.url)
        assert _files(restored_uploads) == _files(uploads)
        with pytest.raises(BackupError, match="holds data"):
            restore_backup(target, restored_uploads, archive, force=False)
        restore_backup(target, restored_uploads, archive, force=True)
        assert _all_rows(target) == _all_rows(db.url)


def test_a_damaged_archive_is_refused_before_anything_is_touched(
    factory: Factory, db: Database, tmp_path: Path
) -> None:
    _populate(factory)
    archive, _ = create_backup(db.url, get_settings().upload_dir, tmp_path / "b.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name.startswith("database"):
                content = data.read() if data else b""
                member.size = len(content) + 1
                from io import BytesIO

                copy.addfile(member, BytesIO(content + b"x"))
            else:
                copy.addfile(member, data)
    with scratch_database(tmp_path) as target, pytest.raises(BackupError, match="checksum"):
        restore_backup(target, tmp_path / "uploads", damaged, force=False)


def test_an_archive_made_before_the_last_migration_is_migrated_forward(
    db: Database, tmp_path: Path
) -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    [head] = script.get_heads()
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    source_folder, target_folder = tmp_path / "source", tmp_path / "target"
    source_folder.mkdir()
    target_folder.mkdir()
    with scratch_database(source_folder) as old, scratch_database(target_folder) as target:
        migrations.upgrade(old, previous)
        engine = build_engine(old)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisations (name, kind, inn, region, sector, description, "
                    "created_at) VALUES ('Старая', 'sme', '7701234567', 'Москва', 'it', '', :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        engine.dispose()
        archive, manifest = create_backup(old, tmp_path / "no-uploads", tmp_path / "old.tar.gz")
        assert manifest.revision == [previous]
        restore_backup(target, tmp_path / "restored", archive, force=False)
        engine = build_engine(target)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
            assert connection.scalar(text("SELECT name FROM organisations")) == "Старая"
        engine.dispose()
