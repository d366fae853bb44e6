"""Bulk import of existing members from a CSV file (`portal import members FILE.csv`).

Columns (header names, any order; `;` or `,` as the separator; UTF-8 with or without BOM):
`name, inn, ogrn, region, sector, owner_email, number, since, expires`. `ogrn`, `owner_email`,
`number` and `expires` may be empty: a number is then issued (`CL-<year of since>-NNNN`) and
the membership runs for the configured term. Each row is checked in full and imported in its
own savepoint: a bad row is reported field by field and skipped, the others are imported. The
INN identifies the organisation, so running the same file again updates, never duplicates.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts.identifiers import is_valid_inn, is_valid_ogrn
from app.accounts.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    User,
)
from app.errors import DomainError
from app.i18n import gettext, ngettext
from app.membership.models import Membership, MembershipStatus
from app.membership.queries import membership_of
from app.membership.register import next_number
from app.membership.reviews import review_settings
from app.vocab import is_known_region, sector_slugs

REQUIRED_COLUMNS = ("name", "inn", "region", "sector", "since")
OPTIONAL_COLUMNS = ("ogrn", "owner_email", "number", "expires")
NUMBER_PATTERN = re.compile(r"^[A-Z]{2,4}-\d{4}-\d{4,6}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})


class MissingColumns(ValueError):
    pass


def _parse_date(value: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def read_rows(text: str) -> list[dict[str, str]]:
    """The rows as dictionaries of stripped strings; refuses a file without the required columns."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise MissingColumns(", ".join(missing))
    reader.fieldnames = columns
    return [
        {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
        for row in reader
    ]


def _check_row(
    session: Session, row: dict[str, str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The cleaned values and every problem of one row, field by field."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    name = row.get("name", "")
    if not name:
        problems.append(("name", gettext("The name is required.")))
    elif len(name) > 200:
        problems.append(
            ("name", ngettext("At most %(num)s character.", "At most %(num)s characters.", 200))
        )
    values["name"] = name
    inn = row.get("inn", "")
    if not is_valid_inn(inn):
        problems.append(("inn", gettext("The INN is not valid: check its digits.")))
    values["inn"] = inn
    ogrn = row.get("ogrn", "")
    if ogrn and not is_valid_ogrn(ogrn):
        problems.append(("ogrn", gettext("The OGRN is not valid: check its digits.")))
    values["ogrn"] = ogrn or None
    region = row.get("region", "")
    if not region or len(region) > 100 or not is_known_region(region):
        problems.append(("region", gettext("Unknown region.")))
    values["region"] = region
    sector = row.get("sector", "")
    if sector not in sector_slugs():
        problems.append(("sector", gettext("Unknown sector.")))
    values["sector"] = sector
    email = row.get("owner_email", "").lower()
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        problems.append(("owner_email", gettext("This is not an email address.")))
    values["owner_email"] = email or None
    since = _parse_date(row.get("since", ""))
    if since is None:
        problems.append(("since", gettext("Give a date as YYYY-MM-DD or DD.MM.YYYY.")))
    values["since"] = since
    expires: date | None = None
    if row.get("expires"):
        expires = _parse_date(row["expires"])
        if expires is None:
            problems.append(("expires", gettext("Give a date as YYYY-MM-DD or DD.MM.YYYY.")))
        elif since is not None and expires <= since:
            problems.append(("expires", gettext("The expiry must come after the start.")))
    elif since is not None:
        expires = since + timedelta(days=review_settings().term_days)
    values["expires"] = expires
    number = row.get("number", "").upper()
    if number:
        if not NUMBER_PATTERN.match(number):
            problems.append(("number", gettext("A number looks like CL-2026-0042.")))
        else:
            holder = session.scalar(
                select(Organisation.inn)
                .join(Membership, Membership.organisation_id == Organisation.id)
                .where(Membership.number == number)
            )
            if holder is not None and holder != inn:
                problems.append(("number", gettext("Another member holds this number.")))
    values["number"] = number or None
    if is_valid_inn(inn):
        existing = session.scalar(select(Organisation).where(Organisation.inn == inn))
        if existing is not None and existing.kind != OrganisationKind.sme:
            problems.append(
                ("inn", gettext("Large companies and investors join by staff verification."))
            )
    return values, problems


def _import_row(
    session: Session, actor: User, values: dict[str, Any], report: ImportReport, number: int
) -> None:
    organisation = session.scalar(select(Organisation).where(Organisation.inn == values["inn"]))
    created = organisation is None
    if organisation is None:
        organisation = Organisation(kind=OrganisationKind.sme, inn=values["inn"], description="")
        session.add(organisation)
    organisation.name = values["name"]
    organisation.region = values["region"]
    organisation.sector = values["sector"]
    if values["ogrn"]:
        organisation.ogrn = values["ogrn"]
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.imported" if created else "organisation.import_updated",
        entity_type="organisation",
        entity_id=organisation.id,
    )
    membership = membership_of(session, organisation.id)
    if membership is None:
        membership = Membership(
            organisation_id=organisation.id,
            number=values["number"] or next_number(session, values["since"].year),
            verify_code=secrets.token_urlsafe(15),
            starts_on=values["since"],
            expires_on=values["expires"],
            status=MembershipStatus.active,
        )
        session.add(membership)
    else:
        if values["number"]:
            membership.number = values["number"]
        membership.starts_on = values["since"]
        membership.expires_on = values["expires"]
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="membership.imported",
        entity_type="membership",
        entity_id=membership.id,
        data={"number": membership.number, "created": created},
    )
    if values["owner_email"]:
        _attach_owner(session, actor, organisation, values["owner_email"], report, number)
    if created:
        report.created += 1
    else:
        report.updated += 1


def _attach_owner(
    session: Session,
    actor: User,
    organisation: Organisation,
    email: str,
    report: ImportReport,
    number: int,
) -> None:
    """An owner with an account becomes the owner; anyone else is invited (once) by email."""
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        link = session.get(OrganisationMember, (organisation.id, user.id))
        if link is None:
            session.add(
                OrganisationMember(
                    organisation_id=organisation.id, user_id=user.id, role=OrganisationRole.owner
                )
            )
        elif link.role != OrganisationRole.owner:
            link.role = OrganisationRole.owner
        session.flush()
        return
    invited = session.scalar(
        select(OrganisationInvitation.id).where(
            OrganisationInvitation.organisation_id == organisation.id,
            OrganisationInvitation.email == email,
        )
    )
    if invited is None:
        from app.accounts.organisations import invite_colleague

        invite_colleague(session, actor=actor, organisation_id=organisation.id, email=email)
        report.notes.append(
            RowError(number, "owner_email", gettext("No account yet: an invitation was sent."))
        )


def import_members(session: Session, *, actor: User, text: str) -> ImportReport:
    """Import every valid row, skip and report the others (row number = line in the file)."""
    report = ImportReport()
    for number, row in enumerate(read_rows(text), start=2):
        if not any(row.values()):
            continue
        report.rows += 1
        values, problems = _check_row(session, row)
        if problems:
            report.errors.extend(RowError(number, f, m) for f, m in problems)
            continue
        try:
            with session.begin_nested():
                _import_row(session, actor, values, report, number)
        except DomainError as exc:
            report.errors.append(RowError(number, "", exc.detail))
        except IntegrityError:
            report.errors.append(
                RowError(number, "", gettext("The row clashes with another member's data."))
            )
    return report
