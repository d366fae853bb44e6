"""The tone of every status badge, in one place: what a state means to the person reading it.

Pages show a status as a badge with its label and the class `tone-<tone>`; the colour only
repeats what the label says. A state shared by several domains (expired, withdrawn, cancelled)
means the same to the reader everywhere, so one mapping by slug serves every domain.
"""

from __future__ import annotations

from enum import StrEnum


class Tone(StrEnum):
    success = "success"
    info = "info"
    neutral = "neutral"
    warning = "warning"
    danger = "danger"


STATUS_TONES: dict[str, Tone] = {
    # done, granted, in good standing
    "approved": Tone.success,
    "active": Tone.success,
    "accepted": Tone.success,
    "enrolled": Tone.success,
    "registered": Tone.success,
    "completed": Tone.success,
    "sent": Tone.success,
    "valid": Tone.success,
    "registration": Tone.success,
    "confirmed": Tone.success,
    # moving along, someone is on it
    "submitted": Tone.info,
    "under_review": Tone.info,
    "requested": Tone.info,
    "forwarded": Tone.info,
    "scheduled": Tone.info,
    "queued": Tone.info,
    "sending": Tone.info,
    "published": Tone.info,
    "reported": Tone.info,
    # needs someone's attention soon
    "changes_requested": Tone.warning,
    "response_requested": Tone.warning,
    "waitlisted": Tone.warning,
    "grace": Tone.warning,
    "failed": Tone.warning,
    "preparation": Tone.warning,
    "overdue": Tone.warning,
    "high_disagreement": Tone.warning,
    "harsh": Tone.warning,
    "lenient": Tone.warning,
    "locked": Tone.warning,
    # refused, stopped, broken
    "rejected": Tone.danger,
    "declined": Tone.danger,
    "screened_out": Tone.danger,
    "cancelled": Tone.danger,
    "suspended": Tone.danger,
    "revoked": Tone.danger,
    "dead": Tone.danger,
    # over, closed, not started
    "draft": Tone.neutral,
    "withdrawn": Tone.neutral,
    "expired": Tone.neutral,
    "skipped": Tone.neutral,
    "past": Tone.neutral,
}


def status_tone(status: object) -> str:
    """The tone of a status slug or enum member; an unknown state is neutral, never alarming."""
    slug = str(getattr(status, "value", status))
    return STATUS_TONES.get(slug, Tone.neutral).value
