"""The `portal` command."""

from __future__ import annotations

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

    migrations.upgrade(get_settings().database_url)
    console.print("[green]Database is up to date.[/green]")


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_level="info",
    )


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Migrate, then serve the portal."""
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
    from app.demo import demo_logins, load_demo

    migrate()
    with session_scope() as session:
        load_demo(session)
    table = Table(title="Demo logins")
    for column in ("email", "password", "roles"):
        table.add_column(column)
    for row in demo_logins():
        table.add_row(*row)
    console.print(table)
    if no_serve:
        return
    console.print(f"Serving on http://{host}:{port}/")
    from app.notifications.worker import start_background_worker

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
    """Deliver the outbox (email) and send reminders."""
    from app.notifications.worker import run_forever, run_once

    if once:
        report = run_once()
        console.print(report.summary())
    else:
        run_forever()


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit log; report the first broken link."""
    from app.audit import verify_chain
    from app.db import session_scope

    with session_scope(write=False) as session:
        report = verify_chain(session)
    if report.ok:
        console.print(f"[green]Audit chain intact: {report.checked} rows checked.[/green]")
        return
    console.print(
        f"[red]Audit chain broken at row {report.first_broken_id}: {report.reason} "
        f"({report.checked} rows before it are intact).[/red]"
    )
    raise typer.Exit(1)


def main() -> None:
    from app.domains import domain_modules

    for module in domain_modules("cli"):
        module.register(cli, import_cli)
    cli(prog_name="portal")


if __name__ == "__main__":
    main()
