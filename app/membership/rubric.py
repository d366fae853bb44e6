"""The review rubric: the criteria of each track with their labels, weights and descriptions.

Staff replace the criteria as a whole; each change is a new `RubricVersion` and no version
changes afterwards. An application takes the version current when it is submitted (again at a
resubmission or an appeal, which open a new review round), and each review records the version
it was scored on, so that every weighted score keeps the meaning it had."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.config import get_settings
from app.errors import raise_field_errors
from app.i18n import get_locale, gettext
from app.membership import policies
from app.membership.models import Application, RubricVersion, Track

# The rubric before staff edited it; the first version (the migration's seed) holds the same.
DEFAULT_CRITERIA: tuple[dict[str, str], ...] = (
    {
        "key": "innovation",
        "label": "Инновационность",
        "label_en": "Innovation",
        "description": "Новизна продукта или технологии, её защищённость.",
    },
    {
        "key": "team",
        "label": "Команда",
        "label_en": "Team",
        "description": "Опыт, полнота и вовлечённость команды.",
    },
    {
        "key": "market",
        "label": "Рынок",
        "label_en": "Market",
        "description": "Размер рынка, клиенты и путь к ним.",
    },
    {
        "key": "cluster_fit",
        "label": "Соответствие кластеру",
        "label_en": "Cluster fit",
        "description": "Польза для кластера и его участников.",
    },
)
MAX_CRITERIA = 12
MAX_WEIGHT = 1000.0
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
# A criterion's key names its field on the review form beside these.
RESERVED_KEYS = frozenset({"comment", "recommendation", "csrf_token"})
SCORE_RANGE = range(1, 6)


def default_criteria() -> list[dict[str, Any]]:
    """Today's fixed criteria with the configured weights (`PORTAL_MEMBERSHIP_WEIGHTS`)."""
    weights = get_settings().membership_weights
    return [{**c, "weight": float(weights.get(c["key"], 0.0))} for c in DEFAULT_CRITERIA]


def current_version(session: Session, track: str, *, create: bool = False) -> RubricVersion:
    """The newest rubric of `track`; the incubation track follows the membership rubric until
    staff give it its own. Without any version yet (an emptied database) the default criteria
    are stored when `create`, else returned unsaved (id None)."""
    found = session.scalar(
        select(RubricVersion)
        .where(RubricVersion.track == track)
        .order_by(RubricVersion.id.desc())
        .limit(1)
    )
    if found is not None:
        return found
    if track != Track.membership:
        return current_version(session, Track.membership, create=create)
    version = RubricVersion(track=Track.membership, criteria=default_criteria())
    if create:
        session.add(version)
        session.flush()
    return version


def version_of(session: Session, application: Application) -> RubricVersion:
    """The rubric of an application: the one it was submitted under, else (a draft) the one it
    would be submitted under now."""
    return application.rubric_version or current_version(session, application.track)


def stamp(session: Session, application: Application) -> None:
    """The application is being submitted: it takes its track's current rubric."""
    application.rubric_version = current_version(session, application.track, create=True)


def read_rubric(session: Session, *, actor: User, track: str) -> RubricVersion:
    policies.enforce(policies.rubric_view_refusal(actor))
    return current_version(session, track)


def replace_rubric(
    session: Session, *, actor: User, track: str, criteria: Sequence[Mapping[str, Any]]
) -> RubricVersion:
    """A new version of the track's criteria (staff); it applies to applications submitted
    from now on. Every problem is refused at once (422)."""
    policies.enforce(policies.rubric_edit_refusal(actor))
    raise_field_errors(criteria_problems(criteria))
    version = RubricVersion(
        track=track,
        criteria=[
            {
                "key": c["key"].strip(),
                "label": c["label"].strip(),
                "label_en": c["label_en"].strip(),
                "weight": float(c["weight"]),
                "description": (c.get("description") or "").strip(),
            }
            for c in criteria
        ],
        created_by_id=actor.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="rubric.changed",
        entity_type="membership_rubric",
        entity_id=version.id,
        data={"track": str(track), "weights": version.weights},
    )
    return version


def criteria_problems(criteria: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """What is wrong with a rubric, by field: `<row>.<field>` (rows from 0) and `criteria`."""
    problems: dict[str, str] = {}
    if not criteria:
        problems["criteria"] = gettext("Give at least one criterion.")
    elif len(criteria) > MAX_CRITERIA:
        problems["criteria"] = gettext(
            "A rubric has at most %(count)s criteria.", count=MAX_CRITERIA
        )
    seen: set[str] = set()
    for row, criterion in enumerate(criteria):
        key = str(criterion.get("key") or "").strip()
        if not KEY_PATTERN.fullmatch(key) or key in RESERVED_KEYS:
            problems[f"{row}.key"] = gettext(
                "A key is a short name of small Latin letters, digits and underscores, "
                "starting with a letter (e.g. market_size)."
            )
        elif key in seen:
            problems[f"{row}.key"] = gettext("Each criterion needs its own key.")
        seen.add(key)
        for field in ("label", "label_en"):
            if not str(criterion.get(field) or "").strip():
                problems[f"{row}.{field}"] = gettext("Give the criterion's name in both languages.")
        weight = criterion.get("weight")
        if not (isinstance(weight, int | float) and _is_number(weight)) or not (
            0 <= weight <= MAX_WEIGHT
        ):
            problems[f"{row}.weight"] = gettext(
                "A weight is a number from 0 to %(most)s.", most=int(MAX_WEIGHT)
            )
    weights = [float(c["weight"]) for c in criteria if _is_number(c.get("weight"))]
    if criteria and len(weights) == len(criteria) and sum(weights) <= 0:
        problems.setdefault("criteria", gettext("The weights must add up to more than zero."))
    return problems


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def labels(version: RubricVersion) -> list[tuple[str, str]]:
    """The criteria's keys and names in the viewer's language."""
    english = get_locale() == "en"
    return [
        (c["key"], (c["label_en"] if english else c["label"]) or c["label"])
        for c in version.criteria
    ]


def descriptions(version: RubricVersion) -> dict[str, str]:
    return {c["key"]: c.get("description") or "" for c in version.criteria}


def merged_labels(versions: Iterable[RubricVersion]) -> list[tuple[str, str]]:
    """The criteria of several versions in one list (the columns of a table of reviews)."""
    shown: dict[str, str] = {}
    for version in versions:
        for key, label in labels(version):
            shown.setdefault(key, label)
    return list(shown.items())


def scores_problem(version: RubricVersion, scores: Mapping[str, Any]) -> str | None:
    """Why scores do not fit the rubric: one whole number from 1 to 5 for each criterion."""
    keys = [c["key"] for c in version.criteria]
    if set(scores) != set(keys) or not all(
        isinstance(scores[k], int) and not isinstance(scores[k], bool) and scores[k] in SCORE_RANGE
        for k in keys
    ):
        return gettext("Give each criterion a score from 1 to 5: %(keys)s.", keys=", ".join(keys))
    return None
