"""Appointments' pure rules (server/core/appointments.py, appointment_codes.py): slot capacity and
the walk-in share, the refusals of a booking, check-in windows, no-show suspensions, codes and the
limits against hoarding."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import appointment_codes as codes
from server.core import appointments as rules
from server.core.appointment_rules import AppointmentRules
from server.core.case_errors import InvalidApplicant
from server.core.hall import Hours
from tests.core.halls import make_hall, queue, window

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
RULES = AppointmentRules()


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


def hall_ab(**kw):
    """Queue A on windows 1 and 2 (2 with B at 2:1), queue B on window 2 only."""
    return make_hall([queue("A"), queue("B")], [window("1", "A"), window("2", ("A", 2), ("B", 1), number=2)], **kw)


# --- slots ----------------------------------------------------------------------------------------


def test_a_queue_counts_each_window_by_its_weight_share():
    hall = hall_ab()
    assert rules.planned_windows(hall, "A") == pytest.approx(1 + 2 / 3)
    assert rules.planned_windows(hall, "B") == pytest.approx(1 / 3)
    # 30 minutes × 5/3 windows × 40 % for bookings = 20 minutes.
    assert rules.queue_slot_minutes(hall, RULES, "A") == 20


def test_a_reserve_window_is_not_promised_to_bookings():
    """A reserve window (备用窗口) is closed until a manager opens it: its time is no slot's."""
    spare = dataclasses.replace(window("3", "A", "B", number=3), reserve=True)
    hall = make_hall([queue("A"), queue("B")], [window("1", "A"), window("2", ("A", 2), ("B", 1), number=2), spare])
    assert rules.planned_windows(hall, "A") == pytest.approx(1 + 2 / 3)
    assert rules.planned_windows(hall, "B") == pytest.approx(1 / 3)


def test_slots_fill_each_opening_period_and_end_before_issuing_stops():
    hall = dataclasses.replace(hall_ab(), hours=Hours(periods=((time(9), time(12)), (time(13, 30), time(17))),
                                                      issue_stop_minutes=30))
    slots = rules.day_slots(hall, RULES, "A", DAY, workday=True)
    starts = [s.start.timetz().replace(tzinfo=None) for s in slots]
    assert starts[0] == time(9) and time(11) in starts and time(11, 30) not in starts
    assert starts[-1] == time(16) and time(13, 30) in starts
    assert rules.day_slots(hall, RULES, "A", DAY, workday=False) == []
    off = dataclasses.replace(RULES, enabled=False)
    assert rules.day_slots(hall, off, "A", DAY, workday=True) == []


def test_an_item_takes_its_typical_minutes_so_items_of_a_queue_share_a_slot():
    hall = hall_ab(typical_minutes=7.5)
    item = hall.item("A-001")
    slot = rules.day_slots(hall, RULES, "A", DAY, workday=True)[0]
    assert rules.item_minutes(item) == 8 and slot.capacity(item) == 2
    assert slot.left(item, 8) == 1 and slot.left(item, 13) == 0 and slot.left(item, 40) == 0


@st.composite
def halls(draw):
    n_queues = draw(st.integers(1, 3))
    codes_ = [chr(ord("A") + i) for i in range(n_queues)]
    windows = []
    for n in range(draw(st.integers(0, 6))):
        served = draw(st.lists(st.sampled_from(codes_), min_size=1, max_size=n_queues, unique=True))
        windows.append(window(str(n + 1), *[(q, draw(st.integers(1, 4))) for q in served], number=n + 1))
    periods = draw(st.sampled_from([((time(9), time(17)),), ((time(9), time(12)), (time(13, 30), time(17, 30))),
                                    ((time(8, 15), time(11, 50)),)]))
    hall = make_hall([queue(c) for c in codes_], windows, typical_minutes=draw(st.floats(1, 60)))
    return dataclasses.replace(hall, hours=Hours(periods=periods, issue_stop_minutes=draw(st.integers(0, 60))))


@settings(max_examples=300, deadline=None)
@given(hall=halls(), slot_minutes=st.sampled_from([10, 15, 20, 30, 45, 60]),
       share=st.floats(0, 1), workday=st.booleans(), day=st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_bookings_never_take_more_than_the_planned_window_time_less_the_walk_in_share(
        hall, slot_minutes, share, workday, day):
    r = dataclasses.replace(RULES, slot_minutes=slot_minutes, walk_in_share=share)
    for q in hall.queues:
        slots = rules.day_slots(hall, r, q.code, day, workday=workday)
        if not workday:
            assert slots == []
            continue
        windows = rules.planned_windows(hall, q.code)
        for s in slots:
            # Within an opening period, ending before issuing stops.
            opens = next((o, c) for o, c in hall.hours.periods
                         if datetime.combine(day, o, TZ) <= s.start < datetime.combine(day, c, TZ))
            assert s.end <= datetime.combine(day, opens[1], TZ) - timedelta(minutes=hall.hours.issue_stop_minutes)
            assert s.end - s.start == timedelta(minutes=slot_minutes)
            assert s.minutes > 0
            # The minutes offered never exceed the bookable share of the planned window time.
            assert s.minutes <= (1 - share) * windows * slot_minutes + 1e-9
            item = hall.items_of_queue(q.code)[0]
            assert s.capacity(item) * rules.item_minutes(item) <= s.minutes
            for booked in range(0, s.minutes + 1, max(1, s.minutes // 4)):
                assert s.left(item, booked) * rules.item_minutes(item) + booked <= max(s.minutes, booked)
        starts = [s.start for s in slots]
        assert starts == sorted(set(starts))
        day_minutes = (1 - share) * windows * sum(
            (datetime.combine(day, c, TZ) - datetime.combine(day, o, TZ)).total_seconds() / 60
            for o, c in hall.hours.periods)
        assert sum(s.minutes for s in slots) <= day_minutes + 1e-6


# --- refusals -------------------------------------------------------------------------------------


def refusal(start, now=NOW, workday=True, r=RULES):
    slots = rules.day_slots(hall_ab(), r, "A", start.date(), workday=workday)
    return rules.booking_refusal(r, "A-001", start, now, workday=workday, slots=slots)


def test_what_refuses_a_booking():
    assert refusal(at(9)) is None
    assert isinstance(refusal(at(9), r=dataclasses.replace(RULES, enabled=False)), rules.NotBooking)
    assert isinstance(refusal(at(9), workday=False), rules.ClosedDay)
    assert isinstance(refusal(at(9, day=date(2026, 11, 25))), rules.SlotPast)
    assert isinstance(refusal(at(10, day=date(2026, 11, 25))), rules.SlotPast)  # begun is past
    assert isinstance(refusal(at(9, day=date(2026, 12, 3))), rules.BeyondHorizon)
    assert refusal(at(9, day=date(2026, 12, 2))) is None  # seven days ahead
    assert isinstance(refusal(at(9, 10)), rules.NotBookable)
    assert isinstance(refusal(at(12, 30)), rules.NotBookable)  # lunch
    assert rules.BeyondHorizon(days=7, day="2026-12-03").kind == "invalid"
    assert (rules.SlotFull.kind, rules.DayFull.kind, rules.AlreadyBooked.kind) == ("conflict",) * 3
    assert rules.BookingSuspended.kind == "forbidden"
    assert "{" not in rules.AlreadyBooked().message


# --- check-in -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "verdict"), [
    (at(8, 29), rules.CheckIn.EARLY), (at(8, 30), rules.CheckIn.ON_TIME), (at(9), rules.CheckIn.ON_TIME),
    (at(9, 15), rules.CheckIn.ON_TIME), (at(9, 15) + timedelta(seconds=1), rules.CheckIn.LATE),
])
def test_check_in_runs_from_half_an_hour_before_to_the_grace_after(now, verdict):
    assert rules.check_in_verdict(RULES, at(9), now) is verdict
    assert rules.check_in_opens(RULES, at(9)) == at(8, 30) and rules.missed_by(RULES, at(9)) == at(9, 15)


@given(offset=st.integers(-120 * 60, 120 * 60), before=st.integers(0, 90), grace=st.integers(0, 60))
def test_a_check_in_verdict_is_early_on_time_or_late_by_the_window(offset, before, grace):
    r = dataclasses.replace(RULES, check_in_before_minutes=before, grace_minutes=grace)
    now = at(9) + timedelta(seconds=offset)
    verdict = rules.check_in_verdict(r, at(9), now)
    assert (verdict is rules.CheckIn.EARLY) == (now < rules.check_in_opens(r, at(9)))
    assert (verdict is rules.CheckIn.LATE) == (now > rules.missed_by(r, at(9)))


def test_a_ticket_takes_its_place_at_the_slot_or_at_arrival_if_later():
    assert rules.ticket_place(at(9), at(8, 40)) == at(9)
    assert rules.ticket_place(at(9), at(9, 10)) == at(9, 10)


# --- no-shows -------------------------------------------------------------------------------------


def test_three_no_shows_within_thirty_days_suspend_for_thirty_days_from_the_last():
    now = at(10, day=date(2026, 12, 1))
    missed = [at(9, day=date(2026, 11, d)) for d in (5, 20, 30)]
    assert rules.suspended_until(RULES, missed, now) == at(9, day=date(2026, 12, 30))
    assert rules.suspended_until(RULES, missed[:2], now) is None
    spread = [at(9, day=date(2026, 10, 1)), at(9, day=date(2026, 11, 5)), at(9, day=date(2026, 11, 30))]
    assert rules.suspended_until(RULES, spread, now) is None
    assert rules.suspended_until(RULES, missed, at(9, day=date(2026, 12, 30))) is None  # over
    assert rules.suspended_until(dataclasses.replace(RULES, no_show_limit=0), missed, now) is None


@given(days=st.lists(st.integers(0, 200), max_size=8), now_day=st.integers(0, 260),
       limit=st.integers(1, 4), period=st.integers(1, 60), suspend=st.integers(1, 60))
def test_suspended_exactly_while_some_limit_no_shows_within_a_period_are_less_than_suspend_days_old(
        days, now_day, limit, period, suspend):
    r = dataclasses.replace(RULES, no_show_limit=limit, no_show_period_days=period, suspend_days=suspend)
    base = at(9, day=date(2026, 1, 1))
    missed = [base + timedelta(days=d) for d in days]
    now = base + timedelta(days=now_day, hours=1)
    until = rules.suspended_until(r, missed, now)
    ends = sorted(missed)
    runs = [ends[i + limit - 1] for i in range(len(ends) - limit + 1)
            if ends[i + limit - 1] - ends[i] <= timedelta(days=period)]
    latest = max(runs, default=None)
    expected = latest + timedelta(days=suspend) if latest is not None else None
    assert until == (expected if expected is not None and expected > now else None)
    # What the window start leaves out never matters.
    kept = [m for m in missed if m >= rules.no_show_window_start(r, now)]
    assert rules.suspended_until(r, kept, now) == until


# --- codes and limits -----------------------------------------------------------------------------


def test_codes_are_ten_crockford_symbols_read_back_however_typed():
    code = codes.new_code()
    assert len(code) == 10 and codes.canonical_code(code) == code
    assert codes.grouped("ABCDEFGHJK") == "ABCDE-FGHJK"
    assert codes.canonical_code("abcde-fghjk") == "ABCDEFGHJK"
    assert codes.canonical_code(" 0ILO1 23456 ") == "01101" + "23456"
    assert codes.canonical_code("https://hall.example/a/ABCDE-FGHJK") == "ABCDEFGHJK"
    assert codes.canonical_code("https://hall.example/a/ABCDEFGHJK?x=1") == "ABCDEFGHJK"
    assert codes.canonical_code("ＡＢＣＤＥＦＧＨＪＫ") == "ABCDEFGHJK"
    for bad in ("ABCDEFGHJ", "ABCDEFGHJKM", "ABCDEFGHJU", "", "x" * 300):
        assert codes.canonical_code(bad) is None
    assert len({codes.new_code() for _ in range(1000)}) == 1000


@pytest.mark.parametrize(("raw", "phone"), [
    ("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), ("008619912345678", "19912345678"),
])
def test_a_booking_takes_a_mobile_number(raw, phone):
    assert codes.booking_phone(raw) == phone


@pytest.mark.parametrize("raw", ["010-12345678", "1380013800", "12800138000", "138001380001", "", "phone"])
def test_a_landline_or_a_short_number_is_refused_naming_the_phone(raw):
    with pytest.raises(InvalidApplicant) as refused:
        codes.booking_phone(raw)
    assert refused.value.where == "applicant.phone" and "手机" in refused.value.message_zh


def test_an_address_may_book_so_many_an_hour():
    now = datetime(2026, 11, 25, 2, tzinfo=UTC)
    made = [now - timedelta(minutes=m) for m in range(1, 11)]  # ten in the last ten minutes
    refused = codes.address_refusal(RULES, made, now)
    assert refused is not None and refused.retry_after_s == 50 * 60 and refused.kind == "too_many"
    assert codes.address_refusal(RULES, made[:9], now) is None
    assert codes.address_refusal(RULES, [now - timedelta(minutes=61)] * 20, now) is None


def test_an_id_number_may_hold_so_many_bookings_not_yet_due():
    now = datetime(2026, 11, 25, 2, tzinfo=UTC)
    starts = [now + timedelta(hours=h) for h in (5, 2, 30, 48, 70)]
    refused = codes.id_number_refusal(RULES, starts, now)
    assert refused is not None and refused.retry_after_s == 2 * 3600 + 15 * 60
    assert codes.id_number_refusal(RULES, starts[:4], now) is None
