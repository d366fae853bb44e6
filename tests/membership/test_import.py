"""`portal import members FILE.csv`: valid rows imported, invalid ones reported and skipped."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select
from typer.testing import CliRunner

from app.accounts.identifiers import inn_with_check_digits, ogrn_with_check_digit
from app.accounts.models import Organisation, OrganisationMember, OrganisationRole, Role
from app.membership.cli import register
from app.membership.models import Membership
from tests.factories import Factory

GOOD_INN = inn_with_check_digits("540200001")
OTHER_INN = inn_with_check_digits("540200002")
HEADER = "name,inn,ogrn,region,sector,owner_email,number,since,expires\n"


def _cli() -> typer.Typer:
    cli = typer.Typer()
    import_cli = typer.Typer()
    cli.add_typer(import_cli, name="import")
    register(cli, import_cli)
    return cli


def _run(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(_cli(), ["import", "members", str(path), *extra])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _memberships(factory: Factory) -> list[tuple[str, str, str, str, str]]:
    with factory.database.session_scope(write=False) as session:
        rows = session.execute(
            select(Organisation.inn, Organisation.name, Membership.number, Membership.starts_on,
                   Membership.expires_on)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .order_by(Organisation.inn)
        ).all()  # fmt: skip
        return [(r[0], r[1], r[2], str(r[3]), str(r[4])) for r in rows]


def test_import_creates_members_reports_bad_rows_and_exits_non_zero(
    factory: Factory, client: object, tmp_path: Path
) -> None:
    staff = factory.actor(Role.staff)
    owner = factory.actor(email="owner@geo.example")
    ogrn = ogrn_with_check_digit("154020000100")
    path = tmp_path / "members.csv"
    path.write_text(
        HEADER
        + f"ГеоДата,{GOOD_INN},{ogrn},Новосибирская область,geoinformation,owner@geo.example,"
        "CL-2024-0007,2024-03-01,2027-03-01\n"
        + "Плохая,1234567890,,Москва,software,,,2024-01-01,\n"
        + f"Без даты,{OTHER_INN},,Москва,biotech,not-an-email,,01/02/2024,\n"
        + f"Новичок,{OTHER_INN[:-1] + str((int(OTHER_INN[-1]) + 1) % 10)},,,software,,,,\n",
        encoding="utf-8-sig",
    )
    code, output = _run(path, "--as", staff.user.email)
    assert code == 1, output
    assert "Imported 1 of 4 rows (1 new, 0 updated); 3 rows skipped." in output
    for expected in ("inn", "sector", "owner_email", "since", "region"):
        assert expected in output
    assert "│ 3 " in output and "│ 4 " in output and "│ 5 " in output
    assert _memberships(factory) == [
        (GOOD_INN, "ГеоДата", "CL-2024-0007", "2024-03-01", "2027-03-01")
    ]
    with factory.database.session_scope(write=False) as session:
        link = session.scalar(
            select(OrganisationMember).where(OrganisationMember.user_id == owner.id)
        )
        assert link is not None and link.role == OrganisationRole.owner
    register_page = client.get("/api/v1/members")  # type: ignore[attr-defined]
    assert [m["number"] for m in register_page.json()["items"]] == ["CL-2024-0007"]


def test_import_twice_updates_instead_of_duplicating(factory: Factory, tmp_path: Path) -> None:
    factory.actor(Role.staff)
    path = tmp_path / "members.csv"
    path.write_text(
        "name;inn;region;sector;since\n"
        f"ГеоДата;{GOOD_INN};Новосибирская область;geoinformation;01.03.2024\n",
        encoding="utf-8",
    )
    code, output = _run(path)
    assert code == 0, output
    [(inn, name, number, since, expires)] = _memberships(factory)
    assert (inn, name, number, since) == (GOOD_INN, "ГеоДата", "CL-2024-0001", "2024-03-01")
    assert expires == "2025-03-01"

    path.write_text(
        "name;inn;region;sector;since;expires\n"
        f"ГеоДата Плюс;{GOOD_INN};Новосибирская область;geoinformation;01.03.2024;2028-01-31\n",
        encoding="utf-8",
    )
    code, output = _run(path)
    assert code == 0, output
    assert "(0 new, 1 updated)" in output
    assert _memberships(factory) == [
        (GOOD_INN, "ГеоДата Плюс", "CL-2024-0001", "2024-03-01", "2028-01-31")
    ]
    assert factory.count(Organisation) == 1


def test_import_refuses_a_number_held_by_another_member(factory: Factory, tmp_path: Path) -> None:
    factory.actor(Role.staff)
    path = tmp_path / "members.csv"
    path.write_text(
        HEADER
        + f"Первая,{GOOD_INN},,Москва,software,,CL-2023-0001,2023-01-10,\n"
        + f"Вторая,{OTHER_INN},,Москва,software,,CL-2023-0001,2023-01-10,\n",
        encoding="utf-8",
    )
    code, output = _run(path)
    assert code == 1
    assert "│ 3 " in output and "number" in output
    assert [m[0] for m in _memberships(factory)] == [GOOD_INN]


def test_import_needs_the_required_columns_and_a_staff_user(
    factory: Factory, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text("name,inn\nX,1\n", encoding="utf-8")
    code, output = _run(path)
    assert code == 2 and "No staff user" in output
    factory.actor(Role.staff)
    code, output = _run(path)
    assert code == 2 and "Missing columns: region, sector, since." in output
    assert factory.count(Organisation) == 0
