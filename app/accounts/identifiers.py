"""Check digits of Russian company identifiers: INN (10 or 12 digits), OGRN (13), OGRNIP (15)."""

from __future__ import annotations

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_FIRST_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_SECOND_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN12_FIRST_WEIGHTS) == int(value[10]) and _check_digit(
            value, _INN12_SECOND_WEIGHTS
        ) == int(value[11])
    return False


def is_valid_personal_inn(value: str) -> bool:
    """A person's INN: 12 digits whose last two are the check digits of the first ten and
    eleven (an organisation's INN has 10 digits)."""
    return len(value) == 12 and is_valid_inn(value)


def is_valid_ogrn(value: str) -> bool:
    """OGRN (13 digits, modulo 11) or OGRNIP (15 digits, modulo 13); the remainder's last digit."""
    if not value.isdigit() or not value.isascii():
        return False
    if len(value) == 13:
        return int(value[:12]) % 11 % 10 == int(value[12])
    if len(value) == 15:
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def inn_with_check_digits(prefix: str) -> str:
    """Complete a 9- or 10-digit prefix into a valid INN (demo data and tests)."""
    if len(prefix) == 9:
        return prefix + str(_check_digit(prefix, _INN10_WEIGHTS))
    if len(prefix) == 10:
        first = prefix + str(_check_digit(prefix, _INN12_FIRST_WEIGHTS))
        return first + str(_check_digit(first, _INN12_SECOND_WEIGHTS))
    raise ValueError("an INN prefix has 9 or 10 digits")


def ogrn_with_check_digit(prefix: str) -> str:
    """Complete a 12-digit prefix into a valid OGRN (demo data and tests)."""
    if len(prefix) != 12:
        raise ValueError("an OGRN prefix has 12 digits")
    return prefix + str(int(prefix) % 11 % 10)
