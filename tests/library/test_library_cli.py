"""`portal import library` and `portal reindex`."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from app.accounts.models import Role
from app.library.cli import register
from app.library.models import LibraryItem
from tests.library.helpers import search_titles, tiny_pdf


def _cli() -> typer.Typer:
    cli = typer.Typer()
    import_cli = typer.Typer()
    cli.add_typer(import_cli, name="import")
    register(cli, import_cli)
    return cli


def test_import_reports_bad_files_and_imports_the_rest(factory, client, tmp_path) -> None:
    cli = _cli()
    staff = factory.actor(Role.staff)
    (tmp_path / "good.md").write_text(
        "---\ntitle: Субсидии на экспорт ПО\nlanguage: ru\ncategory: financing\n"
        "tags: экспорт, субсидии\n---\nКомпенсация затрат на сертификацию.\n",
        encoding="utf-8",
    )
    (tmp_path / "doc.md").write_text(
        "---\ntitle: Export rules\nlanguage: en\ncategory: regulation\n---\n", encoding="utf-8"
    )
    (tmp_path / "doc.pdf").write_bytes(tiny_pdf("Dual use cryptography notification"))
    (tmp_path / "bad.md").write_text("---\ntitle: \nlanguage: de\n---\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "library", str(tmp_path), "--as", staff.user.email])
    assert result.exit_code == 1, result.output
    assert "bad.md" in result.output
    assert "Imported 2 of 3" in result.output
    assert factory.count(LibraryItem) == 2
    assert search_titles(client, "субсидия") == ["Субсидии на экспорт ПО"]
    assert search_titles(client, "cryptography notifications") == ["Export rules"]

    reindexed = CliRunner().invoke(cli, ["reindex"])
    assert reindexed.exit_code == 0, reindexed.output
    assert "Reindexed 2" in reindexed.output
    assert search_titles(client, "субсидия") == ["Субсидии на экспорт ПО"]
