"""Resident ID numbers (公民身份号码, GB 11643-1999) and the masking of personal data.

Article 20 keeps personal privacy out of what the hall publishes, so anything shown beyond the
window (progress pages, displays, exports) goes through the `mask_*` functions.

Error messages never repeat the ID number: they end up in logs and on screens.
"""

from __future__ import annotations

import unicodedata
from datetime import date

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


class InvalidIdNumber(ValueError):
    """The ID number is not valid."""

    def __init__(self, **details: object) -> None:
        self.details = details
        super().__init__((self.__doc__ or "").strip().format(**details))


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


def mask_id_number(s: str) -> str:
    """First 6 (region) and last 4 kept: 110105********1234."""
    s = s.strip()
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_name(name: str) -> str:
    """First and last character kept: 张*三, 欧**娜; a two-character name keeps its first: 张*."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """First 3 and last 4 kept: 138****5678; short numbers keep only their last 2."""
    phone = phone.strip()
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) >= 3:
        return "*" * (len(phone) - 2) + phone[-2:]
    return "*" * len(phone)
