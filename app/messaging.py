"""The kinds of message the portal sends, and the port through which a domain queues one.

Each domain declares its own kinds with `register_kind` (at import of its module); the user's
email preferences list every declared kind. Queuing a message is the notifications domain's job
(an outbox row written in the caller's transaction). Domains above notifications may call it
directly; accounts sits below it, so it queues through `notify` / `notify_address` here, which
forward to the messenger that `app.main` installs at wiring time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

SLUG_LENGTH = 60


@dataclass(frozen=True)
class MessageKind:
    slug: str
    label: str
    essential: bool


_KINDS: dict[str, MessageKind] = {}


def register_kind(slug: str, label: str, *, essential: bool = False) -> MessageKind:
    """Declare a kind of message (call at import time of the domain's module).

    `label` is marked with `N_()` and translated where shown; `essential` kinds (security mail)
    cannot be turned off by the user.
    """
    if len(slug) > SLUG_LENGTH:
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


class Messenger(Protocol):
    """What queues a message: `app.notifications.service` (a module satisfies the protocol)."""

    def notify(
        self,
        session: Session,
        *,
        recipient: Any,
        kind: MessageKind,
        template: str,
        key: str,
        context: dict[str, Any] | None = None,
        link: str | None = None,
        in_app: bool = True,
    ) -> object | None: ...

    def notify_address(
        self,
        session: Session,
        *,
        to_email: str,
        kind: MessageKind,
        template: str,
        key: str,
        context: dict[str, Any] | None = None,
        link: str | None = None,
        locale: str | None = None,
    ) -> object | None: ...


_messenger: Messenger | None = None


def install_messenger(messenger: Messenger) -> None:
    global _messenger
    _messenger = messenger


def _installed() -> Messenger:
    if _messenger is None:
        raise RuntimeError("no messenger installed: call app.main.wire() first")
    return _messenger


def notify(
    session: Session,
    *,
    recipient: Any,
    kind: MessageKind,
    template: str,
    key: str,
    context: dict[str, Any] | None = None,
    link: str | None = None,
    in_app: bool = True,
) -> object | None:
    """Queue an email (and an in-app notice) to a user, once per `key`; None when the
    recipient can no longer be reached."""
    return _installed().notify(
        session,
        recipient=recipient,
        kind=kind,
        template=template,
        key=key,
        context=context,
        link=link,
        in_app=in_app,
    )


def notify_address(
    session: Session,
    *,
    to_email: str,
    kind: MessageKind,
    template: str,
    key: str,
    context: dict[str, Any] | None = None,
    link: str | None = None,
    locale: str | None = None,
) -> object | None:
    """Queue an email to someone who has no account yet, once per `key`."""
    return _installed().notify_address(
        session,
        to_email=to_email,
        kind=kind,
        template=template,
        key=key,
        context=context,
        link=link,
        locale=locale,
    )
