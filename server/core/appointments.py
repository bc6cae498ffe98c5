"""Appointments (预约, article 21): the slots a day offers, who may book one, when a booking may be
checked in at the kiosk, and when repeated no-shows suspend booking.

A slot's capacity is counted in minutes of window time, per queue: the windows planned to serve
the queue (each by its weight's share of that window) times the slot's length, less the share the
hall keeps for walk-ins. A booking of an item uses that item's typical duration of it. So items
sharing a queue share its slots, and a long item fills a slot sooner than a short one: the windows
are what is booked, not a count per item that would promise the same window time to every item of
the queue at once. `item capacity = ⌊queue minutes ÷ item minutes⌋`, `left` likewise from the
minutes not yet booked, and never more than the item's daily cap still allows.

Times are aware datetimes; the caller passes `now` and the hall's calendar answer (`workday`),
so nothing here reads a clock or a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from .appointment_codes import NotBooked, Worded, day_words, grouped, when_words
from .appointment_rules import AppointmentRules
from .errors import DomainError
from .hall import Hall, Hours, Item


class Status(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE = frozenset({Status.BOOKED, Status.CHECKED_IN})


@dataclass(frozen=True)
class Slot:
    queue: str
    start: datetime
    end: datetime
    # Minutes of window time offered for booking in this slot, for the whole queue.
    minutes: int

    def capacity(self, item: Item) -> int:
        return self.minutes // item_minutes(item)

    def left(self, item: Item, booked_minutes: int) -> int:
        return max(0, (self.minutes - booked_minutes) // item_minutes(item))


def item_minutes(item: Item) -> int:
    """The window time one booking of `item` takes: its typical duration, whole minutes, at least 1."""
    return max(1, math.ceil(item.typical_minutes))


def planned_windows(hall: Hall, queue: str) -> float:
    """The windows the hall file plans for `queue`, each counted by the queue's share of its weight
    (a window serving two queues at 2:1 is two thirds of a window for the first). A reserve window
    (备用窗口) is closed until a manager opens it at a peak: its time is not promised to bookings."""
    return sum(w.weight(queue) / sum(sq.weight for sq in w.queues) for w in hall.windows
               if w.weight(queue) and not w.reserve)


def queue_slot_minutes(hall: Hall, rules: AppointmentRules, queue: str) -> int:
    return math.floor(rules.slot_minutes * planned_windows(hall, queue) * (1 - rules.walk_in_share))


def day_slots(hall: Hall, rules: AppointmentRules, queue: str, day: date, *, workday: bool) -> list[Slot]:
    """The slots of `day` for `queue`: none on a day the hall is closed; within each opening period
    every whole slot that ends by the time the kiosks stop issuing (a visitor due later could not
    be given a number)."""
    if not (rules.enabled and workday):
        return []
    minutes = queue_slot_minutes(hall, rules, queue)
    if minutes <= 0:
        return []
    tz = ZoneInfo(hall.timezone)
    step = timedelta(minutes=rules.slot_minutes)
    slots: list[Slot] = []
    for opens, closes in hall.hours.periods:
        start = datetime.combine(day, opens, tz)
        last_end = datetime.combine(day, closes, tz) - timedelta(minutes=hall.hours.issue_stop_minutes)
        while start + step <= last_end:
            slots.append(Slot(queue, start, start + step, minutes))
            start += step
    return slots


def find_slot(slots: Sequence[Slot], start: datetime) -> Slot | None:
    return next((s for s in slots if s.start == start), None)


# --- refusals -----------------------------------------------------------------------------------


class AppointmentError(Worded):
    """That booking cannot be made."""

    code = "appointment_invalid"
    zh = "无法预约"


class NotBookable(AppointmentError):
    """{start} is not a slot of item {item}: pick one of the slots offered"""

    code = "not_a_slot"
    zh = "所选时段不可预约，请从可预约时段中选择"
    zh_template = "{start_zh}不是该事项的可预约时段，请从可预约时段中选择"


class SlotPast(AppointmentError):
    """The slot at {start} has already begun; pick a later one"""

    code = "slot_past"
    zh = "该时段已开始或已过去，请选择之后的时段"
    zh_template = "{start_zh}的时段已开始或已过去，请选择之后的时段"


class ClosedDay(AppointmentError):
    """The hall does not open on {day} (not a working day)"""

    code = "closed_day"
    zh = "该日为非工作日，大厅不办理业务"
    zh_template = "{day_zh}为非工作日，大厅不办理业务"


class BeyondHorizon(AppointmentError):
    """Bookings are taken at most {days} days ahead; {day} is too far"""

    code = "beyond_horizon"
    zh = "超出可预约的日期范围"
    zh_template = "最多可预约{days}天内，{day_zh}超出可预约的日期范围"


class ItemNotBookable(AppointmentError):
    """This service takes longer than a bookable slot: take a number at the hall"""

    code = "not_bookable"
    zh = "此事项办理时间较长，暂不提供预约，请到大厅取号"


class DayOver(AppointmentError):
    """Today's bookable slots are over"""

    code = "day_over"
    zh = "今日可预约时段已结束"


def never_fits(hall: Hall, rules: AppointmentRules, item: Item) -> bool:
    """Whether one booking of `item` takes more minutes than a slot of its queue offers: it is
    never bookable (the hall's windows as `hall` plans them)."""
    return item_minutes(item) > queue_slot_minutes(hall, rules, item.queue)


def both(error: DomainError) -> str:
    """An error's words, Chinese first: "中文 / English"."""
    return f"{error.message_zh} / {error.message}"


class NotBooking(AppointmentError):
    """This hall takes no appointments"""

    code = "appointments_off"
    zh = "本大厅暂不提供预约"


class SlotFull(Worded):
    """The slot at {start} is fully booked; pick another"""

    kind = "conflict"
    code = "slot_full"
    zh = "该时段已约满，请选择其他时段"
    zh_template = "{start_zh}的时段已约满，请选择其他时段"


class DayFull(Worded):
    """Item {item} is fully booked on {day}"""

    kind = "conflict"
    code = "day_full"
    zh = "该事项当日预约已满"
    zh_template = "该事项{day_zh}的预约已满"


class AlreadyBooked(DomainError):
    """This ID number already holds a booking of this item on that day; cancel it to book another time"""

    # The existing booking's code is not named: whoever knows an ID number could cancel it.

    kind = "conflict"
    code = "already_booked"
    zh = "该证件号码当日已预约此事项，如需改约请先取消原预约"


class BookingSuspended(Worded):
    """Booking is suspended until {until} after {count} missed appointments within {days} days"""

    kind = "forbidden"
    code = "booking_suspended"
    zh = "因多次预约未到，预约功能暂停使用"


def booking_refusal(rules: AppointmentRules, item: str, start: datetime, now: datetime, *, workday: bool,
                    slots: Sequence[Slot]) -> AppointmentError | None:
    """Why a booking of `item` at `start` is refused before its capacity is looked at, or None.
    `slots` are the day's slots of the item's queue (`day_slots`)."""
    if not rules.enabled:
        return NotBooking()
    day = start.date()
    at_zh, at_en = when_words(start)
    day_zh, day_en = day_words(day)
    if not workday:
        return ClosedDay(day=day_en, day_zh=day_zh)
    if start <= now:
        return SlotPast(start=at_en, start_zh=at_zh)
    if (day - now.astimezone(start.tzinfo).date()).days > rules.horizon_days:
        return BeyondHorizon(days=rules.horizon_days, day=day_en, day_zh=day_zh)
    if find_slot(slots, start) is None:
        return NotBookable(item=item, start=at_en, start_zh=at_zh)
    return None


# --- check-in -----------------------------------------------------------------------------------


class CheckIn(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def check_in_verdict(rules: AppointmentRules, start: datetime, now: datetime, hours: Hours | None = None,
                     tz: tzinfo | None = None) -> CheckIn:
    if now < check_in_opens(rules, start, hours, tz):
        return CheckIn.EARLY
    if now > start + timedelta(minutes=rules.grace_minutes):
        return CheckIn.LATE
    return CheckIn.ON_TIME


def check_in_opens(rules: AppointmentRules, start: datetime, hours: Hours | None = None,
                   tz: tzinfo | None = None) -> datetime:
    """`check_in_before_minutes` before the slot, but not before the kiosks issue in the slot's
    opening period (given `hours` and the hall's `tz`): a 09:00 slot opens at 09:00, a 13:30 one
    after a midday break at the afternoon's start, not while no number can be issued."""
    opens = start - timedelta(minutes=rules.check_in_before_minutes)
    if hours is None or tz is None:
        return opens
    local = start.astimezone(tz)
    for period_start, period_end in hours.periods:
        if period_start <= local.time() < period_end:
            return max(opens, datetime.combine(local.date(), period_start, tz))
    return opens


def missed_by(rules: AppointmentRules, start: datetime) -> datetime:
    """From this moment a booking not checked in is a no-show."""
    return start + timedelta(minutes=rules.grace_minutes)


def ticket_place(start: datetime, now: datetime) -> datetime:
    """The place in line (`Ticket.rank_at`) of an appointment ticket checked in at `now`: as if the
    visitor had come at the slot's start, or when they came if that was later (within the grace)."""
    return max(start, now)


# --- check-in refusals --------------------------------------------------------------------------


class _CheckInRefusal(DomainError):
    """That booking cannot be checked in."""

    code = "check_in_refused"
    zh = "该预约当前无法签到"
    zh_template = ""

    def __init__(self, **details: object) -> None:
        super().__init__(None, zh=self.zh_template.format(**details) if self.zh_template else None, where="",
                         **details)


class UnknownAppointment(_CheckInRefusal):
    """No booking has that code: check the code on your booking"""

    kind = "not_found"
    code = "unknown_appointment"
    zh = "未找到该预约，请核对预约码"


class CheckInOtherDay(_CheckInRefusal):
    """This booking is for {day}, not today: check in on that day"""

    kind = "invalid"
    code = "check_in_other_day"
    zh = "该预约不是今天的，请在预约当天签到"
    zh_template = "该预约为{day_zh}，不是今天，请在预约当天签到"


class CheckInEarly(_CheckInRefusal):
    """Check-in for the {start} appointment opens at {opens}: please check in from {opens}"""

    kind = "conflict"
    code = "check_in_early"
    zh = "签到时间未到"
    zh_template = "签到时间未到，请于 {opens} 后签到（预约时段 {start}）"


class CheckInLate(_CheckInRefusal):
    """The {start} appointment could be checked in until {until}: please take a normal number"""

    kind = "conflict"
    code = "check_in_late"
    zh = "已超过签到时间，预约失效"
    zh_template = "已超过签到时间（{until} 前），预约失效，请取普通号"


class CheckInLateWalkIn(CheckInLate):
    """The {start} appointment could be checked in until {until}: a normal number {number} was issued instead"""

    zh_template = "已超过签到时间（{until} 前），预约失效，已为您取普通号 {number}"


class CheckedInElsewhere(NotBooked):
    """Booking {code} was checked in at {at} at another kiosk: its number is {number}"""

    zh = "该预约已在其他取号机签到"

    def __init__(self, *, code: str, at: str, number: str) -> None:
        super().__init__(zh=f"该预约已于 {at} 在其他取号机签到，号码为 {number}", code=code, at=at, number=number)


STATUS_ZH = {Status.CANCELLED: "已取消", Status.NO_SHOW: "已过签到时间，记为未到", Status.CHECKED_IN: "已签到",
             Status.BOOKED: "已预约"}


def check_in_refusal(rules: AppointmentRules, code: str, status: str, day: date, start: datetime, now: datetime,
                     today: date, tz: tzinfo, hours: Hours | None = None) -> DomainError | CheckIn:
    """Whether a booked visitor is let in at `now` (`today` the hall's day): `CheckIn.ON_TIME`,
    `CheckIn.LATE` (the caller issues a normal number when `rules.late_walk_in`, else says
    `CheckInLate`), or the refusal to raise. A booking already checked in is the caller's (it
    answers the same ticket again); any other state but booked is `NotBooked`, except a no-show of
    today: marked by the sweep after the grace, it is late like a booking the sweep has not reached
    yet (the answer must not depend on when the sweep ran). `hours` clamps when check-in opens to
    when the kiosks issue (`check_in_opens`)."""
    if status == Status.NO_SHOW and day == today:  # the sweep found it past its grace: late
        if not rules.late_walk_in:
            return CheckInLate(start=_hm(start, tz), until=_hm(missed_by(rules, start), tz))
        return CheckIn.LATE
    if status != Status.BOOKED:
        return NotBooked(code=grouped(code), status=status, action="checked in",
                         zh=f"该预约{STATUS_ZH.get(Status(status), status)}，无法签到")
    if day != today:
        day_zh, day_en = day_words(day)
        return CheckInOtherDay(day=day_en, day_zh=day_zh)
    verdict = check_in_verdict(rules, start, now, hours, tz)
    if verdict is CheckIn.EARLY:
        return CheckInEarly(start=_hm(start, tz), opens=_hm(check_in_opens(rules, start, hours, tz), tz))
    if verdict is CheckIn.LATE and not rules.late_walk_in:
        return CheckInLate(start=_hm(start, tz), until=_hm(missed_by(rules, start), tz))
    return verdict


def late_walk_in(rules: AppointmentRules, start: datetime, number: str, tz: tzinfo) -> CheckInLateWalkIn:
    """What a late visitor is told beside the normal number issued instead."""
    return CheckInLateWalkIn(start=_hm(start, tz), until=_hm(missed_by(rules, start), tz), number=number)


def _hm(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


# --- no-shows -----------------------------------------------------------------------------------


def suspended_until(rules: AppointmentRules, no_shows: Sequence[datetime], now: datetime) -> datetime | None:
    """Until when an ID number with no-shows at `no_shows` (slot starts) may not book, or None.
    Suspended when `no_show_limit` of them fall within `no_show_period_days` of each other; the
    suspension runs `suspend_days` from the latest of those."""
    if rules.no_show_limit <= 0:
        return None
    period = timedelta(days=rules.no_show_period_days)
    times = sorted(no_shows)
    n = rules.no_show_limit
    for i in range(len(times) - n, -1, -1):
        if times[i + n - 1] - times[i] <= period:
            until = times[i + n - 1] + timedelta(days=rules.suspend_days)
            return until if until > now else None
    return None


def no_show_window_start(rules: AppointmentRules, now: datetime) -> datetime:
    """How far back no-shows can still matter for a suspension."""
    return now - timedelta(days=rules.no_show_period_days + rules.suspend_days)


def local_day(hall: Hall, at: datetime) -> date:
    return at.astimezone(ZoneInfo(hall.timezone)).date()


def slot_start_on(hall: Hall, day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZoneInfo(hall.timezone))
