"""The staff page of the review criteria: each track's current rubric as rows to edit, with
empty rows to add criteria and a box to remove one; saving makes a new version."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser
from app.deps import SessionDep
from app.errors import DomainError, FieldError
from app.i18n import gettext
from app.membership import policies, rubric
from app.membership.models import Track
from app.web import FormData, flash, redirect, render_page

router = APIRouter(include_in_schema=False)

FIELDS = ("key", "label", "label_en", "weight", "description")
BLANK_ROWS = 2


def _rows_of(form: dict[str, Any]) -> list[dict[str, str]]:
    """The criteria typed into the form (`<row>.<field>`), leaving out empty and removed rows."""
    prefixes = {name.split(".", 1)[0] for name in form if "." in name}
    indexes = sorted(int(p) for p in prefixes if p.isdigit() and len(p) <= 3)
    rows = []
    for index in indexes[: rubric.MAX_CRITERIA * 4]:
        row = {field: str(form.get(f"{index}.{field}") or "").strip() for field in FIELDS}
        if not form.get(f"{index}.remove") and any(row.values()):
            rows.append(row)
    return rows


def _criteria(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The typed rows with their weights as numbers (a decimal comma too); a weight that is no
    number stays as typed, for the rubric's checks to refuse."""
    criteria: list[dict[str, Any]] = []
    for row in rows:
        criterion: dict[str, Any] = dict(row)
        with contextlib.suppress(ValueError):
            criterion["weight"] = float(row["weight"].replace(",", "."))
        criteria.append(criterion)
    return criteria


def _track(value: str) -> Track:
    try:
        return Track(value)
    except ValueError:
        return Track.membership


def _page(
    request: Request,
    *,
    track: Track,
    rows: list[dict[str, Any]],
    version: int | None,
    inherited: bool,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "membership/criteria.html",
        {
            "track": track.value,
            "tracks": Track.choices(),
            "rows": [*rows, *({} for _ in range(BLANK_ROWS))],
            "version": version,
            "inherited": inherited,
            "errors": errors or {},
            "max_criteria": rubric.MAX_CRITERIA,
        },
        status_code=status_code,
    )


@router.get("/committee/criteria", response_class=HTMLResponse)
def criteria_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    track: Annotated[str, Query(max_length=20)] = "membership",
) -> Response:
    policies.enforce(policies.rubric_edit_refusal(user))
    chosen = _track(track)
    version = rubric.read_rubric(session, actor=user, track=chosen)
    return _page(
        request,
        track=chosen,
        rows=list(version.criteria),
        version=version.id,
        inherited=version.track != chosen,
    )


@router.post("/committee/criteria")
def save_criteria(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    form: FormData,
    track: Annotated[str, Query(max_length=20)] = "membership",
) -> Response:
    chosen = _track(track)
    rows = _rows_of(form)
    target = f"/committee/criteria?track={chosen.value}"
    try:
        with session.begin_nested():
            rubric.replace_rubric(session, actor=user, track=chosen, criteria=_criteria(rows))
    except FieldError as exc:
        current = rubric.current_version(session, chosen)
        return _page(
            request,
            track=chosen,
            rows=list(rows),
            version=current.id,
            inherited=current.track != chosen,
            errors=exc.by_field(),
            status_code=422,
        )
    except DomainError as exc:
        flash(request, exc.detail, "error")
        return redirect(target)
    flash(
        request,
        gettext("The criteria are saved; they apply to applications submitted from now on."),
    )
    return redirect(target)
