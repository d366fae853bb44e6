"""`portal import members FILE.csv`: bulk import of existing members with a row-level report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

console = Console(width=160)


def register(cli: typer.Typer, import_cli: typer.Typer) -> None:
    @import_cli.command("members")
    def import_members(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        actor_email: Annotated[
            str | None, typer.Option("--as", help="Staff user recorded as the importer.")
        ] = None,
    ) -> None:
        """Import existing members (organisations and memberships) from a CSV file.

        Columns: name, inn, ogrn, region, sector, owner_email, number, since, expires.
        Valid rows are imported, invalid ones reported and skipped; the same INN updates.
        Exits with 1 when any row failed."""
        from app.accounts.models import Role, User, UserRole
        from app.db import session_scope
        from app.membership.importer import MissingColumns, import_members

        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            console.print("[red]The file is not UTF-8 text.[/red]")
            raise typer.Exit(2) from exc
        with session_scope() as session:
            query = select(User).where(User.is_active.is_(True))
            if actor_email:
                query = query.where(User.email == actor_email.lower())
            else:
                query = query.join(UserRole, UserRole.user_id == User.id).where(
                    UserRole.role.in_([Role.staff, Role.admin])
                )
            actor = session.scalars(query.order_by(User.id)).first()
            if actor is None or not actor.is_staff:
                console.print("[red]No staff user to import as (use --as EMAIL).[/red]")
                raise typer.Exit(2)
            try:
                report = import_members(session, actor=actor, text=text)
            except MissingColumns as exc:
                console.print(f"[red]Missing columns: {exc}.[/red]")
                raise typer.Exit(2) from exc
        console.print(
            f"Imported {report.created + report.updated} of {report.rows} rows "
            f"({report.created} new, {report.updated} updated); "
            f"{report.failed_rows} rows skipped."
        )
        if report.notes:
            notes = Table("row", "field", "note", title="Notes")
            for note in report.notes:
                notes.add_row(str(note.row), note.field, note.message)
            console.print(notes)
        if report.errors:
            table = Table("row", "field", "message", title="Rows not imported")
            for error in report.errors:
                table.add_row(str(error.row), error.field or "—", error.message)
            console.print(table)
            raise typer.Exit(1)
