"""Article 21's progress query by case number: the number a visitor reads off the slip, proved by
the last four characters of the applicant's ID number or phone.

Four characters are a weak secret (about 11,000 values for an ID number's, 10,000 for a phone's),
so the rules here are what keep it from being guessed or used to find out which numbers exist:

- one answer for every miss: an unknown number and a wrong last four are the same not-found,
  decided after the same work (one comparison of each kind, constant-time, against a stand-in
  when there is no case);
- failures are counted per client address and per case number (the number whether or not it
  exists, so a refusal tells nothing either); past a few free failures each refuses for a while
  that doubles with every further one. The per-number counter is what stops many addresses
  guessing one case together: after five failures a case takes at most about one guess a minute,
  then one an hour.

Input is read as a visitor types it: full-width characters (NFKC), stray spaces, any case; the
last character of an ID number may be X.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.core.case_errors import InvalidCaseNumber
from server.core.cases import CaseNumber, written
from server.core.errors import DomainError, NotFound
from server.core.throttle import Record, Rule, after_failure, current

LAST = 4
# The hall's code (absent from numbers written before halls carried it), department, year, sequence.
_NUMBER = re.compile(r"(?:([A-Z0-9_-]{1,32})-)?([A-Z0-9_]{1,20})-([0-9]{4})-([0-9]{1,6})")
# Three digits, then a digit or the ID number's check character X.
_LAST4 = re.compile(r"[0-9]{3}[0-9X]")
# Nothing typed is this long: a longer field is refused before anything else is read.
MAX_INPUT = 64


class MalformedLookup(DomainError):
    """not {what}"""

    kind = "invalid"
    code = "invalid_lookup"
    zh = "查询内容格式有误"

    def __init__(self, *, field: str, what: str, zh: str) -> None:
        super().__init__(where=field, zh=zh, what=what)
        self.field = field


class CaseNotMatched(NotFound):
    """No case has this number with these last four characters: check the slip and the number you gave"""

    code = "not_found"
    zh = "未查到办件：请核对受理单上的编号及证件号码或手机号码后四位"


def _typed(raw: object, field: str, what: str, zh: str) -> str:
    if not isinstance(raw, str) or len(raw) > MAX_INPUT:
        raise MalformedLookup(field=field, what=what, zh=zh)
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def normal_number(raw: object) -> str:
    """The case number as the hall writes it (`CITY-SCJG-2026-000123`), however it was typed: also
    with the sequence's leading zeros left out (`city-scjg-2026-123`). Malformed: `MalformedLookup`."""
    what, zh = "a case number like CITY-SCJG-2026-000123", "办件编号格式应如 CITY-SCJG-2026-000123"
    text = _typed(raw, "number", what, zh).replace("－", "-").replace("—", "-")
    m = _NUMBER.fullmatch(text)
    if not m or int(m.group(4)) == 0 or not 1000 <= int(m.group(3)) <= 9999:
        raise MalformedLookup(field="number", what=what, zh=zh)
    try:
        return written(CaseNumber(m.group(1), m.group(2), int(m.group(3)), int(m.group(4))))
    except InvalidCaseNumber:
        raise MalformedLookup(field="number", what=what, zh=zh) from None


def normal_last4(raw: object) -> str:
    """Four characters: digits, the last of which may be X (an ID number's check character)."""
    what = "the last four characters of the applicant's ID number or phone (digits; an ID number may end in X)"
    zh = "请填写申请人身份证号码或手机号码的后四位（数字，身份证末位可为X）"
    text = _typed(raw, "last4", what, zh)
    if not _LAST4.fullmatch(text):
        raise MalformedLookup(field="last4", what=what, zh=zh)
    return text


# What an unknown number is compared against, so that a miss takes the same comparisons either way.
_STAND_IN = "\x00" * LAST


def matches(id_number: str | None, phone: str | None, last4: str) -> bool:
    """Whether `last4` (normalised) ends the applicant's ID number or phone. Both comparisons are
    made, each in constant time, and made against a stand-in when there is no case (None)."""
    known = id_number is not None and phone is not None
    id_tail = id_number[-LAST:].upper() if id_number is not None else _STAND_IN
    phone_tail = phone[-LAST:] if phone is not None else _STAND_IN
    by_id = hmac.compare_digest(id_tail.encode(), last4.encode())
    by_phone = hmac.compare_digest(phone_tail.encode(), last4.encode())
    return known and (by_id | by_phone)


# --- counting failures -----------------------------------------------------------------------------


def address_key(address: str) -> str:
    """The client address as the failure counter knows it. An IPv6 client is one /64 (a home or a
    phone is given a whole /64 and can pick any address in it, so counting single addresses
    would give it 2**64 fresh counters); IPv4 (and an IPv4-mapped IPv6 address) is the address
    itself. Anything unparsable is kept as given, cut to 64 characters."""
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


@dataclass(frozen=True)
class Policy:
    """`address`: one client (a kiosk in the hall is not counted so: see server/app/progress.py);
    `case`: one case number, from anywhere."""

    address: Rule = Rule(free=10, base=timedelta(seconds=30), cap=timedelta(minutes=15), forget=timedelta(hours=1))
    case: Rule = Rule(free=5, base=timedelta(minutes=1), cap=timedelta(hours=1), forget=timedelta(hours=24))

    @property
    def longest_memory(self) -> timedelta:
        return max(self.address.forget, self.case.forget)


DEFAULT = Policy()


def retry_after(records: list[tuple[Record, Rule]], now: datetime) -> int | None:
    """Whole seconds to wait before the next attempt, or None when it may go on now."""
    held = timedelta(0)
    for record, rule in records:
        until = current(record, rule, now).next_allowed
        if until is not None and until > now:
            held = max(held, until - now)
    return max(1, math.ceil(held.total_seconds())) if held > timedelta(0) else None


def failed(records: list[tuple[Record, Rule]], now: datetime) -> list[Record]:
    """Each counter after one more failure."""
    return [after_failure(record, rule, now) for record, rule in records]
