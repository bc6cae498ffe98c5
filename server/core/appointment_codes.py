"""What a booking (预约) is known by and who may book, beside the slot rules of appointments.py:
the booking code, the applicant's phone, and the limits that keep slots from being hoarded. Pure.

A booking code is 50 random bits written as 10 Crockford base32 symbols, shown in two groups of
five (ABCDE-FGHJK). As with the documents' codes (documents.py), case, dashes and spaces do not
matter when it is read back, and I/L read as 1, O as 0. Holding the code is what lets one see the
booking and check it in; cancelling also asks for the last four characters of the ID number or
phone (progress_lookup.matches, compared in constant time).

Limits (the hall's [appointments]): one client address may make `per_address_per_hour` bookings
in any hour, and one ID number may hold `per_id_number` bookings not yet come due. Either answers
`TooManyBookings` (429) with the seconds until one more would be taken.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from .appointment_rules import AppointmentRules
from .case_errors import InvalidApplicant
from .documents import CROCKFORD
from .errors import DomainError, NotFound

CODE_BITS = 50
CODE_LENGTH = CODE_BITS // 5  # 10 symbols
GROUP = 5


def new_code() -> str:
    """A fresh booking code, canonical (10 symbols, no dash)."""
    value = secrets.randbits(CODE_BITS)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_CANONICAL = re.compile(f"[{CROCKFORD}]{{{CODE_LENGTH}}}")
# The booking's own page, /a/CODE, as its QR code holds it: a scanner may hand over the whole URL.
# Case-insensitive: a scanner set to caps lock types HTTP://HALL/A/CODE.
_URL_TAIL = re.compile(r"/a/([^/?#\s]+)/?(?:[?#].*)?$", re.IGNORECASE)


def canonical_code(text: str) -> str | None:
    """A code as typed, scanned or read from the booking page's URL, canonical; None when it cannot
    be one (the caller answers "no such booking" either way)."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if (m := _URL_TAIL.search(text)) is not None:
        text = m.group(1)
    code = re.sub(r"[\s\-]", "", text).upper().translate(_READ_AS)
    return code if _CANONICAL.fullmatch(code) else None


def grouped(code: str) -> str:
    """ABCDEFGHJK → ABCDE-FGHJK: how the code is printed and shown."""
    return f"{code[:GROUP]}-{code[GROUP:]}"


_MOBILE = re.compile(r"(?:\+86|0086|86)?-?(1[3-9][0-9]{9})")


def booking_phone(raw: str) -> str:
    """A mainland mobile number, 11 digits (+86 dropped): the booking's reminders go to a phone,
    so a landline is refused here though a case accepts one."""
    m = _MOBILE.fullmatch("".join(unicodedata.normalize("NFKC", raw).split()).replace("-", ""))
    if m is None:
        error = InvalidApplicant(field="phone", why="not a mobile number of 11 digits (1xxxxxxxxxx)")
        error.message_zh = "申请人手机号码有误：应为11位手机号码"
        raise error
    return m.group(1)


# --- answers about one booking ------------------------------------------------------------------


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(d: date) -> tuple[str, str]:
    """A day as a person reads it: ("12月7日", "7 Dec")."""
    return f"{d.month}月{d.day}日", f"{d.day} {_MONTHS[d.month - 1]}"


def when_words(at: datetime, tz: tzinfo | None = None) -> tuple[str, str]:
    """A moment in the hall's time: ("12月7日 09:30", "7 Dec 09:30")."""
    local = at.astimezone(tz) if tz is not None else at
    zh, en = day_words(local.date())
    hm = local.strftime("%H:%M")
    return f"{zh} {hm}", f"{en} {hm}"


class Worded(DomainError):
    """A refusal whose Chinese names the same values: `zh_template` formatted with the details
    (each value given twice, `x` for the English and `x_zh` for the Chinese)."""

    zh = "无法办理该预约"
    zh_template = ""

    def __init__(self, message: str | None = None, *, zh: str | None = None, where: str = "",
                 **details: object) -> None:
        if zh is None and self.zh_template and not message:
            try:
                zh = self.zh_template.format(**details)
            except KeyError:  # raised without the Chinese values: the class's words stand
                zh = None
        super().__init__(message, zh=zh, where=where, **details)


class AppointmentNotFound(NotFound):
    """No booking has this code with these last four characters: check the code and what you typed"""

    code = "not_found"
    zh = "未找到该预约：请核对预约码及证件号码或手机号码后四位"


class NotBooked(DomainError):
    """Booking {code} is {status}: it can no longer be {action}"""

    kind = "conflict"
    code = "not_booked"
    zh = "该预约已取消、已签到或已过期"


class TooLateToCancel(Worded):
    """The slot of booking {code} began at {start}: a booking can be cancelled only before its slot"""

    kind = "conflict"
    code = "too_late_to_cancel"
    zh = "预约时段已开始，不能再取消"
    zh_template = "预约时段已于{start_zh}开始，不能再取消"


class TooManyBookings(DomainError):
    """Too many bookings: wait and try again."""

    kind = "too_many"
    code = "too_many_bookings"
    zh = "预约过于频繁，请稍后再试"

    def __init__(self, message: str, *, zh: str, retry_after_s: int) -> None:
        super().__init__(message, zh=zh)
        self.retry_after_s = retry_after_s


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _address_limit(created: Sequence[datetime], now: datetime, span: timedelta, limit: int,
                   en_span: str, zh_span: str) -> TooManyBookings | None:
    """Refused when `limit` of one address's bookings fall within `span` before `now`, until the
    oldest of those has left the span."""
    recent = sorted(t for t in created if t > now - span)
    if len(recent) < limit:
        return None
    wait = _seconds(recent[len(recent) - limit] + span - now)
    return TooManyBookings(
        f"this address has made {len(recent)} bookings in the last {en_span} (at most {limit}); try again in {wait} s",
        zh=f"同一网络{zh_span}内最多预约{limit}次，请{wait}秒后再试", retry_after_s=wait)


def address_refusal(rules: AppointmentRules, created: Sequence[datetime], now: datetime) -> TooManyBookings | None:
    """`created`: when the bookings of one client address were made, those of the last hour at
    least. Refused when `per_address_per_hour` of them fall in the hour before `now`, until the
    oldest of those is an hour old."""
    return _address_limit(created, now, timedelta(hours=1), rules.per_address_per_hour, "hour", "一小时")


def address_day_refusal(rules: AppointmentRules, created: Sequence[datetime], now: datetime) -> TooManyBookings | None:
    """As `address_refusal` over a day (any 24 hours) with `per_address_per_day`: one address
    cannot book ten an hour all day long."""
    return _address_limit(created, now, timedelta(days=1), rules.per_address_per_day, "24 hours", "一天")


def phone_refusal(rules: AppointmentRules, starts: Sequence[datetime], now: datetime) -> TooManyBookings | None:
    """As `id_number_refusal` for the bookings one phone number holds (the same `per_id_number`):
    many ID numbers typed with one phone are one hoarder."""
    if len(starts) < rules.per_id_number:
        return None
    wait = _seconds(min(starts) + timedelta(minutes=rules.grace_minutes) - now)
    return TooManyBookings(
        f"this phone number already holds {len(starts)} bookings (at most {rules.per_id_number}); cancel one or "
        f"try again in {wait} s",
        zh=f"同一手机号码最多同时持有{rules.per_id_number}个预约，请先取消或使用已有预约", retry_after_s=wait)


def id_number_refusal(rules: AppointmentRules, starts: Sequence[datetime], now: datetime) -> TooManyBookings | None:
    """`starts`: the slot starts of the bookings an ID number holds that have not come due yet (not
    checked in, not cancelled, not missed). Refused at `per_id_number` of them, until the earliest
    is over (checked in or missed: then it no longer counts)."""
    if len(starts) < rules.per_id_number:
        return None
    wait = _seconds(min(starts) + timedelta(minutes=rules.grace_minutes) - now)
    return TooManyBookings(
        f"this ID number already holds {len(starts)} bookings (at most {rules.per_id_number}); cancel one or "
        f"try again in {wait} s",
        zh=f"同一证件号码最多同时持有{rules.per_id_number}个预约，请先取消或使用已有预约", retry_after_s=wait)
