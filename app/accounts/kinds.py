"""The kinds of message accounts sends: all security mail, which cannot be turned off."""

from __future__ import annotations

from app.i18n import N_
from app.messaging import register_kind

PASSWORD_RESET = register_kind("account.password_reset", N_("Password reset"), essential=True)
NEW_TOKEN = register_kind("account.new_token", N_("New login token"), essential=True)
ORGANISATION_INVITATION = register_kind(
    "account.organisation_invitation", N_("Invitations to an organisation"), essential=True
)
