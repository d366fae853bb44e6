"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import get_settings
from app.i18n import gettext, ngettext

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "common_passwords.txt"


@cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


@cache
def _dummy_hash() -> str:
    """Checked when the account does not exist, so that a login for an unknown address costs
    the same time as one for a known address."""
    return _hasher().hash("not a real password, only a timing decoy")


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return ngettext(
            "The password must be at least %(num)s character long.",
            "The password must be at least %(num)s characters long.",
            MIN_LENGTH,
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "The password must be at most %(num)s character long.",
            "The password must be at most %(num)s characters long.",
            MAX_LENGTH,
        )
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        return gettext("This password is too common; choose another one.")
    if email and lowered == email.lower():
        return gettext("The password must not be your email address.")
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def unusable_password_hash() -> str:
    return "!"
