"""`portal backup` and `portal restore`: one archive holding the database, the uploaded files and
a manifest (schema revision, rows per table, the audit chain's head, a checksum of every member).

The database part is one consistent snapshot: SQLite's online backup API, or `pg_dump` of a
snapshot exported by the transaction that also counts the rows and reads the audit head, so the
manifest describes exactly what was dumped. Files are copied after the snapshot: a file uploaded
meanwhile is carried along unreferenced, which is harmless.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import sqlalchemy
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import audit, migrations
from app.db import build_engine

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
FILES = "files"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str  # "sqlite" or "postgresql"
    revision: list[str]
    counts: dict[str, int]
    audit_head: str
    checksums: dict[str, str]
    format: int = FORMAT


@dataclass(frozen=True)
class Snapshot:
    revision: list[str]
    counts: dict[str, int]
    audit_head: str


def describe(connection: Connection) -> Snapshot:
    tables = sorted(sqlalchemy.inspect(connection).get_table_names())
    counts = {
        name: int(connection.scalar(text(f'SELECT count(*) FROM "{name}"')) or 0)
        for name in tables
        if name != "alembic_version"
    }
    revision = sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
    with Session(bind=connection) as session:
        head = audit.head(session)
    return Snapshot(revision=revision, counts=counts, audit_head=str(head))


# --- backup --------------------------------------------------------------------------------


def create_backup(url: str, upload_dir: Path, destination: Path) -> tuple[Path, Manifest]:
    """Write the archive to `destination` (a file name, or a folder to put a dated one in)."""
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        destination = destination / f"portal-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        dump, snapshot = _dump(url, Path(work))
        members = {dump.name: dump} | {
            f"{FILES}/{path.relative_to(upload_dir).as_posix()}": path
            for path in sorted(upload_dir.rglob("*"))
            if path.is_file()
        }
        manifest = Manifest(
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            database="sqlite" if url.startswith("sqlite") else "postgresql",
            checksums={name: _sha256(path) for name, path in members.items()},
            **asdict(snapshot),
        )
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
            for name, path in members.items():
                archive.add(path, arcname=name, recursive=False)
        partial.replace(destination)  # a crash never leaves a half archive under the real name
    return destination, manifest


def _dump(url: str, work: Path) -> tuple[Path, Snapshot]:
    if url.startswith("sqlite"):
        return _dump_sqlite(url, work / SQLITE_MEMBER)
    return _dump_postgres(url, work / POSTGRES_MEMBER)


def _dump_sqlite(url: str, target: Path) -> tuple[Path, Snapshot]:
    source_path = make_url(url).database
    if not source_path or not Path(source_path).exists():
        raise BackupError(f"There is no SQLite database at {source_path}.")
    # A consistent, compacted copy: the pages freed by deleted rows are left out of the archive.
    with closing(sqlite3.connect(source_path)) as source:
        source.execute("VACUUM INTO ?", (str(target),))
    copy_engine = build_engine(f"sqlite:///{target}")
    try:
        with copy_engine.connect() as connection:
            return target, describe(connection)
    finally:
        copy_engine.dispose()


def _dump_postgres(url: str, target: Path) -> tuple[Path, Snapshot]:
    pg_dump = _tool("pg_dump")
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot_id = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            dump = [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", "--file"]
            _run([*dump, str(target), _libpq(url)])
            snapshot = describe(connection)
            connection.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()
    return target, snapshot


# --- restore -------------------------------------------------------------------------------


def restore_backup(url: str, upload_dir: Path, archive_path: Path, *, force: bool) -> Manifest:
    """Check the archive, refuse a database that holds data (unless `force`), restore the
    database and the files, migrate forward, and verify the audit chain against the head the
    archive recorded."""
    with tarfile.open(archive_path, "r:gz") as archive:
        manifest = _read_manifest(archive)
        _verify_checksums(archive, manifest)
        _refuse_to_overwrite(url, force=force)
        with tempfile.TemporaryDirectory() as work:
            _restore_database(url, archive, manifest, Path(work))
        _restore_files(archive, upload_dir)
    _check_counts(url, manifest)
    migrations.upgrade(url)
    _verify_audit(url, manifest)
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        data = json.loads(_member_bytes(archive, MANIFEST))
        manifest = Manifest(**data)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError("This is not a Cluster Portal backup (no readable manifest).") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"Backup format {manifest.format} is not supported here.")
    return manifest


def _verify_checksums(archive: tarfile.TarFile, manifest: Manifest) -> None:
    names = {member.name for member in archive.getmembers() if member.isfile()} - {MANIFEST}
    if names != set(manifest.checksums):
        raise BackupError("The archive's members differ from its manifest: it is incomplete.")
    for name, expected in manifest.checksums.items():
        handle = archive.extractfile(name)
        assert handle is not None
        if _sha256_stream(handle) != expected:
            raise BackupError(f"{name} does not match its checksum: the archive is damaged.")


def _refuse_to_overwrite(url: str, *, force: bool) -> None:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            tables = sqlalchemy.inspect(connection).get_table_names()
            holding = [
                name
                for name in tables
                if name != "alembic_version"
                and connection.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")'))
            ]
    finally:
        engine.dispose()
    if holding and not force:
        raise BackupError(
            f"The database holds data ({len(holding)} tables with rows); "
            "restore into an empty database, or pass --force to replace it."
        )


def _restore_database(url: str, archive: tarfile.TarFile, manifest: Manifest, work: Path) -> None:
    is_sqlite = url.startswith("sqlite")
    if is_sqlite != (manifest.database == "sqlite"):
        raise BackupError(
            f"This archive holds a {manifest.database} database; the target is not one."
        )
    member = SQLITE_MEMBER if is_sqlite else POSTGRES_MEMBER
    archive.extract(member, work, filter="data")
    if is_sqlite:
        target = make_url(url).database
        with sqlite3.connect(work / member) as source, sqlite3.connect(str(target)) as copy:
            source.backup(copy)
        return
    pg_restore = _tool("pg_restore")
    _empty_postgres_schema(url)
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run([pg_restore, *options, "--dbname", _libpq(url), str(work / member)])


def _empty_postgres_schema(url: str) -> None:
    engine = build_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        engine.dispose()


def _restore_files(archive: tarfile.TarFile, upload_dir: Path) -> None:
    if upload_dir.exists():
        shutil.rmtree(upload_dir)
    upload_dir.mkdir(parents=True)
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if not member.isfile() or path.parts[:1] != (FILES,):
            continue
        member.name = str(PurePosixPath(*path.parts[1:]))
        archive.extract(member, upload_dir, filter="data")  # refuses paths leaving the folder


def _check_counts(url: str, manifest: Manifest) -> None:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            restored = describe(connection)
    finally:
        engine.dispose()
    if restored.counts != manifest.counts:
        differ = sorted(
            name
            for name in manifest.counts.keys() | restored.counts.keys()
            if manifest.counts.get(name) != restored.counts.get(name)
        )
        raise BackupError(f"Restored row counts differ from the manifest in: {', '.join(differ)}")


def _verify_audit(url: str, manifest: Manifest) -> None:
    engine = build_engine(url)
    try:
        with Session(bind=engine) as session:
            report = audit.verify_chain(session, expect=audit.Head.parse(manifest.audit_head))
    finally:
        engine.dispose()
    if not report.ok:
        raise BackupError(f"The restored audit chain does not verify: {report.reason}.")


# --- helpers -------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"`{name}` is not installed; install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client) in the server's major version."
        )
    return path


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (no `+driver`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip()[:500]}")


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256_stream(handle)


def _sha256_stream(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise KeyError(name)
    return handle.read()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))
