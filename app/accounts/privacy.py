"""The privacy policy's version: shown on /privacy and the registration form, and stored with
each consent. Change it whenever the text of templates/accounts/privacy.html changes."""

from __future__ import annotations

PRIVACY_POLICY_VERSION = "2026-12-05"
