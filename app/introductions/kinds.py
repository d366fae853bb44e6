"""The kinds of message introductions send."""

from __future__ import annotations

from app.i18n import N_
from app.notifications.kinds import register_kind

NEW_REQUEST = register_kind("introductions.new_request", N_("New introduction requests (staff)"))
FORWARDED = register_kind(
    "introductions.forwarded", N_("Introduction requests for your company"), essential=True
)
ANSWERED = register_kind(
    "introductions.answered", N_("Answers to your introduction requests"), essential=True
)
INTRODUCED = register_kind("introductions.introduced", N_("Introductions made"), essential=True)
REMINDER = register_kind("introductions.reminder", N_("Reminders about pending introductions"))
CHECKIN = register_kind("introductions.checkin", N_("Check-ins after an introduction"))
STORY = register_kind("introductions.story", N_("Success stories awaiting your consent"))
REQUEST_SENT = register_kind(
    "introductions.request_sent", N_("Confirmations of the introductions you request")
)
