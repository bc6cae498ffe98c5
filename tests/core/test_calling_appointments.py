"""Appointment (预约) tickets in the calling order (server/core/calling.py, rule 4): called at their
place's time ahead of their queue's walk-ins, but never more than the hall's `call_share` of a
window's calls, so the walk-in line keeps moving; and never left waiting by an idle window.

The bound tested under hypothesis: over any N consecutive calls of a window (N =
`appointment_window_size`), the appointments called ahead of an older walk-in are at most
⌊call_share × N⌋, whatever the window's earlier calls and however many bookings fall due at once.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.calling import (
    APPOINTMENT_WINDOW_MIN,
    appointment_window_size,
    choose_next,
    may_call_appointment_ahead,
    recent_calls_to_read,
    recent_window_size,
)
from server.core.hall import Window
from server.core.tickets import Priority, Ticket

from .halls import T0, minutes, ticket, window

APPT = Priority.APPOINTMENT
MAX_WAIT = timedelta(minutes=90)
# A day of tickets: 08:00 UTC-ish, far from any wait limit unless a test says so.
NO_AGEING = timedelta(days=1)


class Line:
    """Tickets of several queues, numbered in the order they are made."""

    def __init__(self) -> None:
        self.seq = itertools.count(1)

    def walk_in(self, queue: str, at: datetime) -> Ticket:
        return ticket(queue, next(self.seq), issued_at=at)

    def booked(self, queue: str, slot: datetime, checked_in: datetime | None = None) -> Ticket:
        """An appointment ticket checked in at `checked_in` (default: 20 minutes before) for a slot
        starting at `slot`: its place is the later of the two (appointments.ticket_place)."""
        came = checked_in or slot - minutes(20)
        t = ticket(queue, next(self.seq), issued_at=came, priority=APPT)
        return replace(t, rank_at=max(slot, came), appointment=f"BK{t.seq_no:04d}")


def choose(w: Window, waiting, now: datetime, recent=(), share: float = 0.5, max_wait: timedelta = NO_AGEING):
    """`recent`: (queue, was an appointment) of the window's latest calls, newest first."""
    return choose_next(w, list(waiting), [q for q, _ in recent], now, max_wait, [a for _, a in recent], share)


# ---------------------------------------------------------------- single choices


def test_a_due_appointment_is_called_before_the_walk_ins_placed_before_its_slot():
    line = Line()
    walk_ins = [line.walk_in("a", T0 - minutes(40 - i)) for i in range(30)]
    booked = line.booked("a", slot=T0)
    assert choose(window("w1", "a"), [*walk_ins, booked], now=T0) == booked


def test_a_due_appointment_is_called_before_walk_ins_placed_after_it():
    line = Line()
    booked = line.booked("a", slot=T0)
    later = [line.walk_in("a", T0 + minutes(i + 1)) for i in range(3)]
    # Even with the share spent: by place it is the head of the line anyway.
    spent = [("a", True)] * 9
    assert choose(window("w1", "a"), [*later, booked], now=T0 + minutes(5)) == booked
    assert choose(window("w1", "a"), [*later, booked], now=T0 + minutes(5), recent=spent) == booked


def test_an_appointment_not_due_yet_is_not_called_ahead_of_earlier_walk_ins():
    line = Line()
    booked = line.booked("a", slot=T0, checked_in=T0 - minutes(25))
    earlier = line.walk_in("a", T0 - minutes(20))
    now = T0 - minutes(15)  # 09:45 for a slot at 10:00
    assert choose(window("w1", "a"), [booked, earlier], now=now) == earlier
    # From 10:00 it goes ahead.
    assert choose(window("w1", "a"), [booked, earlier], now=T0) == booked


def test_with_no_walk_in_waiting_appointments_are_called_due_or_not_share_or_not():
    line = Line()
    early = line.booked("a", slot=T0 + minutes(30))
    due = line.booked("a", slot=T0)
    spent = [("a", True)] * 20
    w = window("w1", "a")
    assert choose(w, [early, due], now=T0, recent=spent, share=0.0) == due
    assert choose(w, [early], now=T0, recent=spent, share=0.0) == early


def test_when_the_share_is_spent_the_due_appointment_waits_by_its_place_and_walk_ins_move():
    line = Line()
    walk_in = line.walk_in("a", T0 - minutes(30))
    booked = line.booked("a", slot=T0)
    w = window("w1", "a")
    n = appointment_window_size(w)
    half_spent = [("a", i % 2 == 0) for i in range(n - 1)]  # n/2 appointments among the last n - 1
    assert sum(a for _, a in half_spent) + 1 > 0.5 * n
    assert choose(w, [walk_in, booked], now=T0 + minutes(1), recent=half_spent) == walk_in
    # One walk-in call later the oldest appointment call leaves the window: its turn again.
    assert choose(w, [booked], now=T0 + minutes(1), recent=half_spent) == booked


def test_the_first_call_of_a_window_may_take_a_due_appointment_at_half_share_never_at_zero():
    line = Line()
    walk_in = line.walk_in("a", T0 - minutes(30))
    booked = line.booked("a", slot=T0)
    w = window("w1", "a")
    assert choose(w, [walk_in, booked], now=T0, share=0.5) == booked
    assert choose(w, [walk_in, booked], now=T0, share=0.0) == walk_in
    assert choose(w, [walk_in, booked], now=T0, recent=[("a", True)] * 30, share=1.0) == booked


def test_aged_green_and_sent_here_tickets_keep_their_precedence_over_a_due_appointment():
    line = Line()
    w = window("w1", "a", "b")
    booked = line.booked("a", slot=T0)
    aged = line.walk_in("b", T0 - 2 * MAX_WAIT)
    green = replace(line.walk_in("b", T0 - minutes(1)), priority=Priority.GREEN, green_reason="elderly")
    sent = replace(line.walk_in("b", T0 - minutes(2)), target_window="w1")
    assert choose(w, [booked, aged, green, sent], now=T0, max_wait=MAX_WAIT) == sent
    assert choose(w, [booked, aged, green], now=T0, max_wait=MAX_WAIT) == aged
    assert choose(w, [booked, green], now=T0, max_wait=MAX_WAIT) == green


def test_due_appointments_go_oldest_place_first_across_the_windows_queues():
    line = Line()
    w = window("w1", ("a", 3), "b")
    later = line.booked("a", slot=T0)
    first = line.booked("b", slot=T0 - minutes(30))
    walk_in = line.walk_in("a", T0 - minutes(50))
    assert choose(w, [later, first, walk_in], now=T0) == first


def test_an_appointment_ticket_sent_on_to_another_queue_is_not_called_ahead_again():
    line = Line()
    moved = replace(line.booked("b", slot=T0 - minutes(10)), origin_queue="a")
    walk_in = line.walk_in("b", T0 - minutes(30))
    assert choose(window("w1", "b"), [moved, walk_in], now=T0) == walk_in


def test_the_appointment_window_is_the_queue_share_window_but_at_least_ten_calls():
    assert appointment_window_size(window("w1", "a")) == APPOINTMENT_WINDOW_MIN == 10
    big = window("w1", ("a", 3), ("b", 3))
    assert appointment_window_size(big) == recent_window_size(big) == 18
    assert recent_calls_to_read(window("w1", "a")) == 10
    # a + 1 <= share x N over the last N - 1 calls.
    w = window("w1", "a")
    assert may_call_appointment_ahead(w, [True] * 4 + [False] * 5, 0.5)
    assert not may_call_appointment_ahead(w, [True] * 5 + [False] * 4, 0.5)
    # Only the last N - 1 count: an appointment call 10 calls back has left the window.
    assert may_call_appointment_ahead(w, [False] * 5 + [True] * 4 + [True], 0.5)


@pytest.mark.parametrize(("share", "expected"), [(0.5, 50), (0.3, 30), (0.25, 20), (0.0, 0), (1.0, 100)])
def test_with_both_lines_long_the_appointments_take_the_share_of_calls(share, expected):
    """A weight-1 window, 100 calls, walk-ins and due appointments always waiting. 0.25 of 10 calls
    rounds down to 2 in 10: the bound never goes over the share."""
    line = Line()
    w = window("w1", "a")
    waiting = [line.walk_in("a", T0 - minutes(300) + timedelta(seconds=i)) for i in range(200)]
    waiting += [line.booked("a", slot=T0 - minutes(60) + timedelta(seconds=i)) for i in range(200)]
    recent: list[tuple[str, bool]] = []
    for _ in range(100):
        chosen = choose(w, waiting, now=T0, recent=recent, share=share)
        waiting.remove(chosen)
        recent.insert(0, ("a", chosen.priority is APPT))
    assert Counter(a for _, a in recent)[True] == expected


# ---------------------------------------------------------------- the share under hypothesis


arrival = st.tuples(
    st.sampled_from(["walk_in", "walk_in", "booked", "booked_early", "call", "call", "call"]),
    st.integers(0, 2),  # queue
    st.integers(0, 3),  # minutes the step takes
)


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    share=st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 1.0]),
    history=st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=40),
    steps=st.lists(arrival, min_size=20, max_size=150),
)
def test_appointments_called_ahead_of_older_walk_ins_never_exceed_the_share_of_any_n_calls(
    weights, share, history, steps,
):
    codes = "abc"[: len(weights)]
    w = window("w1", *zip(codes, weights, strict=True))
    n = appointment_window_size(w)
    recent = [(codes[q % len(codes)], a) for q, a in history]
    line, now = Line(), T0
    waiting: list[Ticket] = []
    ahead: list[bool] = []  # per call: an appointment called ahead of an older walk-in
    called: set[str] = set()
    for kind, q, dt in steps:
        now += minutes(dt) + timedelta(seconds=1)
        queue = codes[q % len(codes)]
        if kind == "walk_in":
            waiting.append(line.walk_in(queue, now))
        elif kind == "booked":  # due now, or checked in late
            waiting.append(line.booked(queue, slot=now - minutes(dt * 5), checked_in=now - minutes(dt)))
        elif kind == "booked_early":
            waiting.append(line.booked(queue, slot=now + minutes(5 * (dt + 1)), checked_in=now))
        else:
            chosen = choose(w, waiting, now, recent, share)
            if chosen is None:
                assert not waiting
                continue
            assert chosen.id not in called, "a ticket called twice"
            called.add(chosen.id)
            walk_ins = [t for t in waiting if t.priority is not APPT]
            if chosen.priority is APPT and any(t.queue == chosen.queue for t in walk_ins):
                # Never before its time while a walk-in of its queue waits.
                assert chosen.rank_at <= now
            ahead.append(chosen.priority is APPT and any(
                t.queue == chosen.queue and t.rank_at < chosen.rank_at for t in walk_ins))
            waiting.remove(chosen)
            recent.insert(0, (chosen.queue, chosen.priority is APPT))
    bound = math.floor(share * n + 1e-9)
    for start in range(max(1, len(ahead) - n + 1)):
        assert sum(ahead[start : start + n]) <= bound, (start, ahead)


@settings(max_examples=100, deadline=None)
@given(
    share=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    steps=st.lists(arrival, min_size=20, max_size=120),
)
def test_no_walk_in_waits_longer_than_the_appointments_share_allows(share, steps):
    """No starvation: while walk-ins wait, a run of appointment calls ahead of them is at most
    ⌊share × N⌋ long, and a window never calls nobody while somebody waits."""
    w = window("w1", "a")
    # A share of 1 lets every call go to a due appointment: no bound on the run then.
    bound = math.inf if share >= 1 else math.floor(share * appointment_window_size(w) + 1e-9)
    line, now = Line(), T0
    waiting: list[Ticket] = []
    recent: list[tuple[str, bool]] = []
    run = 0
    for kind, _, dt in steps:
        now += minutes(dt) + timedelta(seconds=1)
        if kind == "walk_in":
            waiting.append(line.walk_in("a", now))
        elif kind.startswith("booked"):
            waiting.append(line.booked("a", slot=now + minutes(5 * dt - 5), checked_in=now))
        else:
            chosen = choose(w, waiting, now, recent, share)
            assert (chosen is None) == (not waiting)
            if chosen is None:
                continue
            older_walk_in = any(t.priority is not APPT and t.rank_at < chosen.rank_at for t in waiting)
            run = run + 1 if chosen.priority is APPT and older_walk_in else 0
            assert run <= bound
            waiting.remove(chosen)
            recent.insert(0, ("a", chosen.priority is APPT))
