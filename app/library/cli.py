"""`portal import library DIR` and `portal reindex`.

The import reads every `*.md` file of DIR: an optional front matter between `---` lines
(`title`, `language`, `category`, `tags` (comma-separated), `visibility`, `summary`,
`effective_from`, `effective_to`) and the Markdown body. A document file with the same name
(`rules.pdf` next to `rules.md`, or .docx/.odt/.txt) is attached to the item. Each file is imported
in its own savepoint; the errors are listed per file at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import select

from app.errors import DomainError

console = Console()
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".odt", ".txt")


def parse_markdown_file(text: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    body = text
    if text.startswith("---"):
        _, _, rest = text.partition("\n")
        header, separator, body = rest.partition("\n---")
        if not separator:
            raise ValueError("the front matter is not closed with ---")
        body = body.partition("\n")[2]
        for number, line in enumerate(header.splitlines(), start=2):
            if not line.strip():
                continue
            key, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"line {number}: expected 'key: value'")
            values[key.strip()] = value.strip()
    values["body"] = body.strip()
    return values


def register(cli: typer.Typer, import_cli: typer.Typer) -> None:
    @import_cli.command("library")
    def import_library(
        directory: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
        actor_email: Annotated[
            str | None, typer.Option("--as", help="Staff user recorded as the author.")
        ] = None,
    ) -> None:
        """Import Markdown articles (and documents next to them) from DIR."""
        from app.accounts.models import Role, User, UserRole
        from app.db import session_scope
        from app.library import policies, service
        from app.library.schemas import ItemIn

        files = sorted(directory.glob("*.md"))
        errors: list[tuple[str, str]] = []
        imported = 0
        with session_scope() as session:
            query = select(User).where(User.is_active.is_(True))
            if actor_email:
                query = query.where(User.email == actor_email.lower())
            else:
                query = query.join(UserRole).where(UserRole.role.in_([Role.staff, Role.admin]))
            actor = session.scalars(query.order_by(User.id)).first()
            if actor is None or not policies.can_edit(actor):
                console.print("[red]No staff user to import as (use --as EMAIL).[/red]")
                raise typer.Exit(2)
            with Progress(console=console) as progress:
                task = progress.add_task("Importing", total=len(files))
                for path in files:
                    try:
                        with session.begin_nested():
                            values = parse_markdown_file(path.read_text(encoding="utf-8"))
                            values.setdefault("title", path.stem)
                            data = ItemIn.model_validate(values)
                            item = service.create_item(session, actor=actor, data=data)
                            for suffix in DOCUMENT_SUFFIXES:
                                document = path.with_suffix(suffix)
                                if document.exists():
                                    service.attach_file(
                                        session, actor=actor, item_id=item.id,
                                        filename=document.name, data=document.read_bytes(),
                                    )  # fmt: skip
                                    break
                        imported += 1
                    except ValidationError as exc:
                        errors.append((path.name, "; ".join(
                            f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}"
                            for e in exc.errors()
                        )))  # fmt: skip
                    except (DomainError, ValueError, UnicodeDecodeError, OSError) as exc:
                        errors.append((path.name, str(getattr(exc, "detail", exc))))
                    progress.advance(task)
        console.print(f"Imported {imported} of {len(files)} files.")
        if errors:
            table = Table("file", "error", title="Not imported")
            for name, message in errors:
                table.add_row(name, message)
            console.print(table)
            raise typer.Exit(1)

    @cli.command("reindex")
    def reindex() -> None:
        """Rebuild the library's search index."""
        from app.db import session_scope
        from app.library import service

        with session_scope() as session:
            count = service.reindex(session)
        console.print(f"[green]Reindexed {count} library items.[/green]")
