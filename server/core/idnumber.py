"""Resident ID numbers (公民身份号码, GB 11643-1999). Their masking is in `masking`.

Error messages never repeat the ID number: they end up in logs and on screens.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from server.core.errors import DomainError

# ISO 7064 MOD 11-2: weight of position i (0-based, left to right) is 2**(17 - i) mod 11.
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11

# Province-level codes of GB/T 2260, plus 71/81/82/83 used by the residence permits of Taiwan,
# Hong Kong and Macao residents, which follow the same 18-character format.
PROVINCE_CODES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"),
        *("71", "81", "82", "83"),
    }
)
_EARLIEST_BIRTH_YEAR = 1800


class InvalidIdNumber(DomainError):
    """The ID number is not valid."""

    kind = "invalid"
    code = "invalid_id_number"
    zh = "身份证号有误"


class IdNumberLength(InvalidIdNumber):
    """An ID number has 18 characters; this one has {length}."""


class FirstGenerationIdNumber(IdNumberLength):
    """This is a 15-digit first-generation ID number, no longer valid: ask for the 18-character one."""


class IdNumberCharacters(InvalidIdNumber):
    """An ID number is 17 digits and then a digit or X; character {position} is {char!r}."""


class IdNumberRegion(InvalidIdNumber):
    """The ID number's region code (characters 1-6) starts with {province}, which is no province."""


class IdNumberBirthDate(InvalidIdNumber):
    """The ID number's birth date (characters 7-14) is not valid: {why}."""


class IdNumberCheckDigit(InvalidIdNumber):
    """The ID number's check digit (character 18) does not match the others: a character is wrong."""


def check_character(first17: str) -> str:
    """The 18th character for 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _normalise(s: str) -> str:
    # NFKC folds full-width digits and Ｘ typed on a Chinese input method to ASCII; the spaces
    # people type for readability carry nothing.
    return "".join(unicodedata.normalize("NFKC", s).split()).upper()


def validate_id_number(s: str, today: date | None = None) -> str:
    """The ID number, normalised (ASCII, upper-case X), or an `InvalidIdNumber` naming the fault.

    With `today`, a birth date after it is refused too (the core never reads the clock).
    """
    n = _normalise(s)
    if len(n) != 18:
        if len(n) == 15 and n.isdigit():
            raise FirstGenerationIdNumber(length=15)
        raise IdNumberLength(length=len(n))
    for position, char in enumerate(n, start=1):
        if not (char in "0123456789" or (position == 18 and char == "X")):
            raise IdNumberCharacters(position=position, char=char)
    if n[:2] not in PROVINCE_CODES:
        raise IdNumberRegion(province=n[:2])
    _check_birth(n[6:14], today)
    if check_character(n[:17]) != n[17]:
        raise IdNumberCheckDigit()
    return n


def _check_birth(digits: str, today: date | None) -> None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberBirthDate(why="no such date") from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise IdNumberBirthDate(why=f"before {_EARLIEST_BIRTH_YEAR}")
    if today is not None and born > today:
        raise IdNumberBirthDate(why="in the future")
