"""The HTML forms of membership, and how a page reads them."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field

from app.errors import FieldError
from app.i18n import gettext
from app.membership.models import Recommendation
from app.membership.rubric import RESERVED_KEYS
from app.schemas import Input
from app.web import parse_form

M = TypeVar("M", bound=BaseModel)


def valid(schema: type[M], data: dict[str, Any], refusal: str | None = None) -> M:
    """The form read by `schema`, or a refusal that `form_action` shows: `refusal`, else the
    first field's error."""
    parsed, errors = parse_form(schema, data)
    if parsed is None:
        field, message = next(iter(errors.items()))
        raise FieldError(field, refusal or message)
    return parsed


def decision_refusal(errors: dict[str, str]) -> str:
    """Why the chair's decision form was refused, naming each missing part."""
    parts = []
    if "decision" in errors:
        parts.append(gettext("Choose the decision: approve, reject or request changes."))
    if "reason" in errors:
        parts.append(gettext("Give the applicant a reason (up to 5,000 characters)."))
    return " ".join(parts) or gettext("Choose a decision and give a reason.")


def section_labels() -> list[tuple[str, str]]:
    return [
        ("summary", gettext("Summary")),
        ("innovation", gettext("Innovation")),
        ("market", gettext("Market")),
        ("team", gettext("Team")),
        ("funding_needs", gettext("Funding needs")),
    ]


def with_parties(form: dict[str, Any], *, keep_missing: bool) -> dict[str, Any]:
    """Competitors and shareholders come from textareas: INNs or portal numbers, one per line
    (commas and spaces also separate them)."""
    data = dict(form)
    for name in ("competitors", "shareholders"):
        if name in data:
            raw = str(data[name] or "")
            data[name] = [part for part in raw.replace(",", " ").split() if part]
        elif not keep_missing:
            data[name] = []
    return data


class AssignForm(Input):
    reviewer_id: int | None = None
    auto: bool = False


def review_scores(form: dict[str, Any], refusal: str) -> dict[str, int]:
    """The scores of the review form: one field per criterion of the application's rubric,
    named by its key, beside the comment and the recommendation (the service checks the keys
    and the range)."""
    scores: dict[str, int] = {}
    for name, value in form.items():
        if name in RESERVED_KEYS:
            continue
        try:
            scores[name] = int(str(value))
        except ValueError:
            raise FieldError(name, refusal) from None
    return scores


class ReviewForm(Input):
    comment: str = Field(default="", max_length=10_000)
    recommendation: Recommendation


class StatusForm(Input):
    reason: str | None = Field(default=None, max_length=2000)
