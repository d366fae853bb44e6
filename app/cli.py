"""The `portal` command."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.config import get_settings

cli = typer.Typer(no_args_is_help=True, help="Cluster Portal administration.")
audit_cli = typer.Typer(no_args_is_help=True, help="The audit log.")
import_cli = typer.Typer(no_args_is_help=True, help="Bulk imports.")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(import_cli, name="import")
console = Console()


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    from app import migrations

    report = migrations.upgrade_and_report(get_settings().database_url)
    console.print(f"[green]{report.describe()}[/green]")


def _refuse_a_busy_port(host: str, port: int, hint: str) -> None:
    """Says which port to try instead before anything starts, rather than failing with errno 98
    after the data is loaded."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            console.print(
                f"[red]Cannot listen on {host}:{port} ({exc.strerror}).[/red]\n"
                f"Try another port: {hint.format(port=port + 1)}",
                soft_wrap=True,
            )
            raise typer.Exit(1) from exc


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from app.logs import logging_config

    settings = get_settings()
    if workers > 1:
        _share_metrics_between_processes(settings.var_dir / "metrics")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=logging_config(settings.log_format),
        # SIGTERM: stop accepting, let the requests in flight finish, then exit.
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )


def _share_metrics_between_processes(folder: Path) -> None:
    """prometheus-client's multi-process mode: each worker writes its samples to `folder`
    (emptied first: the files of earlier runs would be summed in), a scrape reads them all."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder.resolve())


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Migrate, then serve the portal."""
    _refuse_a_busy_port(host, port, "portal serve --port {port}")
    migrate()
    _serve(host, port, workers)


@cli.command()
def demo(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only load the data.")] = False,
) -> None:
    """Migrate, load the demo data (idempotent), print the demo logins and serve."""
    from app.db import session_scope
    from app.demo import DEMO_PASSWORD, demo_journeys, demo_logins, load_demo

    if not no_serve:
        _refuse_a_busy_port(host, port, "make run PORT={port} (or: portal demo --port {port})")
    migrate()
    with session_scope() as session:
        load_demo(session)
    table = Table(title="Demo logins")
    for column in ("email", "password", "roles"):
        table.add_column(column)
    for row in demo_logins():
        table.add_row(*row)
    console.print(table)
    journeys = Table(title=f"Where to start (every password: {DEMO_PASSWORD})")
    for column in ("journey", "log in as"):
        journeys.add_column(column)
    for journey, email in demo_journeys():
        journeys.add_row(journey, email)
    console.print(journeys)
    if no_serve:
        return
    console.print(f"Serving on http://{host}:{port}/")
    from app.main import wire
    from app.notifications.worker import start_background_worker

    wire()
    start_background_worker()
    _serve(host, port, 1)


@cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[
        list[str] | None, typer.Option(help="Role to grant; repeat for several.")
    ] = None,
) -> None:
    """Create a user, or update the password, name and roles of an existing one."""
    from app.accounts.cli_support import upsert_user

    try:
        user_id = upsert_user(email=email, password=password, name=name, roles=role or [])
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"User {email} (id {user_id}) is ready.")


@cli.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due, then exit.")] = False,
) -> None:
    """Deliver the outbox (email) and send reminders; SIGTERM lets the current message finish."""
    import logging.config

    from app.logs import logging_config
    from app.main import wire
    from app.notifications.worker import run_forever, run_once

    logging.config.dictConfig(logging_config(get_settings().log_format))
    wire()
    if once:
        report = run_once()
        console.print(report.summary())
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_forever(stop=stop)


@cli.command()
def backup(
    destination: Annotated[Path, typer.Argument(help="Archive file, or a folder for a dated one.")],
) -> None:
    """Write one consistent archive: the database, the uploaded files and a manifest."""
    from app.domains import load_models
    from app.operations.backup import BackupError, create_backup

    load_models()
    settings = get_settings()
    try:
        archive, manifest = create_backup(settings.database_url, settings.upload_dir, destination)
    except BackupError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc
    rows = sum(manifest.counts.values())
    console.print(
        f"Backup written to {archive}: schema {', '.join(manifest.revision)}, {rows} rows, "
        f"{len(manifest.checksums) - 1} files, audit head {manifest.audit_head}.",
        soft_wrap=True,
    )


@cli.command()
def restore(
    archive: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A backup archive.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data.")
    ] = False,
) -> None:
    """Restore a backup into an empty database (or, with --force, over one), migrate it forward
    and verify the audit chain against the head the archive recorded."""
    from app.domains import load_models
    from app.operations.backup import BackupError, restore_backup

    load_models()
    settings = get_settings()
    try:
        manifest = restore_backup(settings.database_url, settings.upload_dir, archive, force=force)
    except BackupError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc
    console.print(
        f"[green]Restored the backup of {manifest.created_at}: {sum(manifest.counts.values())} "
        f"rows, audit chain verified up to {manifest.audit_head}.[/green]",
        soft_wrap=True,
    )


@audit_cli.command("verify")
def audit_verify(
    expect: Annotated[
        str | None,
        typer.Option(help="A head kept elsewhere (SEQ:HASH, from `portal audit head`)."),
    ] = None,
) -> None:
    """Check the keyed hash chain of the audit log; report the first broken link, and with
    --expect whether the chain still reaches the head kept elsewhere."""
    from app.audit import Head, seal, verify_chain
    from app.db import session_scope
    from app.domains import load_models

    load_models()
    try:
        expected = Head.parse(expect) if expect else None
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with session_scope() as session:
        seal(session)
    with session_scope(write=False) as session:
        report = verify_chain(session, expect=expected)
    if report.ok:
        console.print(f"[green]Audit chain intact: {report.checked} rows checked.[/green]")
        if report.pending:
            console.print(f"{report.pending} rows are not sealed yet (a sealer is at work).")
        return
    where = f" at row {report.first_broken_id}" if report.first_broken_id else ""
    console.print(
        f"[red]Audit chain broken{where}: {report.reason} "
        f"({report.checked} rows before it are intact).[/red]"
    )
    raise typer.Exit(1)


@audit_cli.command("head")
def audit_head() -> None:
    """Print the newest sealed row as SEQ:HASH; keep copies elsewhere to detect removals."""
    from app.audit import head, seal
    from app.db import session_scope
    from app.domains import load_models

    load_models()
    with session_scope() as session:
        seal(session)
    with session_scope(write=False) as session:
        print(head(session))


def main() -> None:
    from app.domains import COMMANDS

    for register in COMMANDS:
        register(cli, import_cli)
    cli(prog_name="portal")


if __name__ == "__main__":
    main()
