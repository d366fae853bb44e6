"""The kinds of message the portal sends, and which of them a user may turn off."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import N_


@dataclass(frozen=True)
class MessageKind:
    slug: str
    label: str
    essential: bool


_KINDS: dict[str, MessageKind] = {}


def register_kind(slug: str, label: str, *, essential: bool = False) -> MessageKind:
    """Declare a kind of message (call at import time of the domain's service module).

    `label` is marked with `N_()` and translated where shown; `essential` kinds (security mail)
    cannot be turned off by the user.
    """
    if len(slug) > 60:
        raise ValueError(f"message kind slug too long: {slug!r}")
    kind = MessageKind(slug, label, essential)
    _KINDS[slug] = kind
    return kind


def get_kind(slug: str) -> MessageKind:
    return _KINDS.get(slug) or MessageKind(slug, slug, essential=False)


def find_kind(slug: str) -> MessageKind | None:
    return _KINDS.get(slug)


def all_kinds() -> list[MessageKind]:
    return sorted(_KINDS.values(), key=lambda k: k.slug)


PASSWORD_RESET = register_kind("account.password_reset", N_("Password reset"), essential=True)
NEW_TOKEN = register_kind("account.new_token", N_("New login token"), essential=True)
ORGANISATION_INVITATION = register_kind(
    "account.organisation_invitation", N_("Invitations to an organisation"), essential=True
)
