"""Which waiting ticket a window calls next: unit rules, then a simulated hall under hypothesis.

The starvation bound used below, derived from `choose_next`'s share rule
-----------------------------------------------------------------------
Let a window serve n queues with weights summing to S, and R = recent_window_size = min(60, 3S);
the share is counted over the window's last R - 1 calls. Take a run of consecutive calls at that
window, all decided by the share rule (nothing sent to the window, nothing aged, no green ticket),
during which queue q always has a ticket waiting and is never chosen. After R - 1 such calls the
counted calls contain no q, so q's share is 0. From then on a queue p can only beat q with share 0
too, i.e. p absent from the counted calls; once chosen, p stays counted for the next R - 1 >= n
calls. So each of the other n - 1 queues can beat q at most once more: the run is at most
R + n - 2 calls long.

The tempting tighter bound "within sum(weights) calls" does not hold for a sliding window: after
a skewed history (a queue that had no visitors for a while) the other queue waits while the
first catches up, and even in steady state the gap reaches S + 2 (see the explicit cases below).
What does hold in steady state is the share itself: once a window has made R calls with every
queue busy, any R consecutive calls give each queue exactly 3 x weight calls.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import tickets as tk
from server.core.appointment_rules import AppointmentRules
from server.core.calling import (
    RECENT_CALLS_MAX,
    RECENT_CALLS_PER_WEIGHT,
    callable_at,
    choose_next,
    due_appointment,
    may_call_appointment_ahead,
    recent_window_size,
)
from server.core.hall import Hall, Window
from server.core.tickets import Priority, Status, Ticket

from .halls import T0, make_hall, minutes, queue, ticket, window

MAX_WAIT = timedelta(minutes=90)
HALF_PAST = T0 + minutes(30)
GREEN = Priority.GREEN


def pick(w: Window, waiting, recent=(), now: datetime = HALF_PAST, max_wait: timedelta = MAX_WAIT):
    return choose_next(w, list(waiting), list(recent), now, max_wait)


class Stock:
    """Waiting tickets issued one second apart, so their places never tie."""

    def __init__(self) -> None:
        self.seq = itertools.count(1)
        self.clock = T0

    def issue(self, queue_code: str, priority: Priority = Priority.NORMAL, **kw) -> Ticket:
        self.clock += timedelta(seconds=1)
        return ticket(queue_code, next(self.seq), issued_at=self.clock, priority=priority, **kw)


def call_sequence(w: Window, stock: dict[str, int], recent=(), calls: int = 10) -> str:
    """Queues of `calls` successive calls at `w`, each queue holding `stock[q]` normal tickets."""
    s = Stock()
    # Issued round-robin (a1 b1 a2 b2 ...), as visitors of several queues arrive through the day.
    waiting = [s.issue(q) for i in range(max(stock.values())) for q, n in stock.items() if i < n]
    recent = list(recent)
    out = []
    for _ in range(calls):
        chosen = choose_next(w, waiting, recent, s.clock, timedelta(days=1))
        if chosen is None:
            break
        waiting.remove(chosen)
        recent.insert(0, chosen.queue)
        out.append(chosen.queue)
    return "".join(out)


# ---------------------------------------------------------------- which tickets a window may call


def test_a_window_with_nobody_waiting_calls_nobody():
    assert pick(window("w1", "a"), []) is None


def test_a_window_never_calls_a_queue_it_does_not_serve():
    s = Stock()
    assert pick(window("w1", "a"), [s.issue("b"), s.issue("c", GREEN)]) is None


def test_only_waiting_tickets_are_callable():
    s = Stock()
    w = window("w1", "a")
    old = s.issue("a")
    statuses = [
        tk.call(old, "w2", T0),
        tk.start(tk.call(old, "w2", T0), T0),
        tk.suspend(tk.call(old, "w2", T0), T0),
        tk.cancel(old, T0),
    ]
    assert not [t for t in statuses if callable_at(w, t)]
    fresh = s.issue("a")
    assert pick(w, [*statuses, fresh]) == fresh


def test_a_ticket_sent_to_this_window_comes_first_before_aged_and_green_tickets():
    s = Stock()
    w = window("w1", "a", "b")
    aged = s.issue("a")
    sent = s.issue("b", target_window="w1")
    green = s.issue("a", GREEN)
    assert pick(w, [aged, green, sent], now=aged.rank_at + 2 * MAX_WAIT) == sent


def test_a_ticket_sent_to_this_window_is_called_even_from_a_queue_the_window_does_not_serve():
    s = Stock()
    sent = s.issue("z", target_window="w1")
    assert pick(window("w1", "a"), [s.issue("a"), sent]) == sent


def test_a_ticket_sent_to_another_window_is_never_called_here_even_if_the_queue_is_served():
    s = Stock()
    sent_elsewhere = s.issue("a", GREEN, target_window="w2")
    w1 = window("w1", "a")
    assert not callable_at(w1, sent_elsewhere)
    assert pick(w1, [sent_elsewhere], now=T0 + 10 * MAX_WAIT) is None
    assert pick(window("w2", "b"), [sent_elsewhere]) == sent_elsewhere


def test_tickets_sent_to_this_window_are_called_in_their_original_order():
    s = Stock()
    first = s.issue("a", target_window="w1")
    second = s.issue("b", GREEN, target_window="w1")
    assert pick(window("w1", "a", "b"), [second, first]) == first


# ---------------------------------------------------------------- aged, green, normal


def test_a_ticket_that_has_waited_max_wait_is_called_before_a_green_one():
    s = Stock()
    normal = s.issue("a")
    green = s.issue("a", GREEN)
    w = window("w1", "a")
    assert pick(w, [green, normal], now=normal.rank_at + MAX_WAIT - timedelta(seconds=1)) == green
    assert pick(w, [green, normal], now=normal.rank_at + MAX_WAIT) == normal


def test_aged_tickets_are_called_oldest_first_whatever_the_queue_weights():
    s = Stock()
    oldest = s.issue("b")
    younger = s.issue("a")
    w = window("w1", ("a", 3), ("b", 1))
    assert pick(w, [younger, oldest], recent=["b"] * 6, now=T0 + 3 * MAX_WAIT) == oldest


def test_green_tickets_are_called_before_normal_ones_of_any_queue():
    s = Stock()
    normal = s.issue("a")
    green = s.issue("b", GREEN)
    w = window("w1", ("a", 3), ("b", 1))
    assert pick(w, [normal, green], recent=["b"] * 12) == green


def test_green_tickets_are_called_oldest_first_across_queues():
    s = Stock()
    first = s.issue("b", GREEN)
    second = s.issue("a", GREEN)
    assert pick(window("w1", ("a", 3), "b"), [second, first]) == first


def test_within_a_queue_normal_tickets_are_called_in_issue_order():
    assert call_sequence(window("w1", "a"), {"a": 5}) == "aaaaa"
    s = Stock()
    tickets = [s.issue("a") for _ in range(5)]
    waiting = list(reversed(tickets))
    order = []
    while (t := pick(window("w1", "a"), waiting)) is not None:
        waiting.remove(t)
        order.append(t.seq_no)
    assert order == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------- weights and the recent window


def test_the_recent_window_is_three_calls_per_weight_capped_at_sixty():
    assert (RECENT_CALLS_PER_WEIGHT, RECENT_CALLS_MAX) == (3, 60)
    assert recent_window_size(window("w1", "a", "b")) == 6
    assert recent_window_size(window("w1", ("a", 2), ("b", 3))) == 15
    assert recent_window_size(window("w1", *[(q, 3) for q in "abcdefgh"])) == 60


def test_weights_share_a_window_proportionally_from_an_empty_history():
    w = window("w1", ("a", 2), ("b", 1))
    first_nine = call_sequence(w, {"a": 30, "b": 30}, calls=9)
    assert Counter(first_nine) == {"a": 6, "b": 3}
    thirty = call_sequence(w, {"a": 30, "b": 30}, calls=30)
    assert Counter(thirty) == {"a": 20, "b": 10}


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"a": 2, "b": 1}, {"a": 200, "b": 100}),
        ({"a": 1, "b": 2}, {"a": 100, "b": 200}),
        ({"a": 1, "b": 1}, {"a": 150, "b": 150}),
        ({"a": 3, "b": 1, "c": 2}, {"a": 150, "b": 50, "c": 100}),
    ],
)
@pytest.mark.parametrize("arrivals", ["interleaved", "queue by queue"])
def test_busy_queues_get_their_weighted_share_in_the_long_run(weights, expected, arrivals):
    """Regression: counting all R recent calls tied every queue once the window was balanced and
    the tie-break gave the queue with the older head (usually the lighter one) an extra call every
    R + 1 calls, so weights 2:1 gave 180:120 of 300 calls."""
    w = window("w1", *weights.items())
    if arrivals == "interleaved":
        calls = call_sequence(w, {q: 300 for q in weights}, calls=300)
    else:
        s = Stock()
        waiting = [s.issue(q) for q in weights for _ in range(300)]
        recent: list[str] = []
        for _ in range(300):
            chosen = choose_next(w, waiting, recent, s.clock, timedelta(days=1))
            waiting.remove(chosen)
            recent.insert(0, chosen.queue)
        calls = "".join(reversed(recent))
    assert Counter(calls) == expected


def test_the_queue_furthest_below_its_share_of_recent_calls_is_next():
    s = Stock()
    a, b = s.issue("a"), s.issue("b")
    w = window("w1", ("a", 2), ("b", 1))
    # a has 3 of the last calls for weight 2 (1.5 per weight), b 1 for weight 1.
    assert pick(w, [a, b], recent=["a", "a", "b", "a"]) == b
    assert pick(w, [a, b], recent=["a", "b", "b", "a"]) == a


def test_equal_shares_go_to_the_queue_whose_head_has_waited_longer():
    s = Stock()
    b, a = s.issue("b"), s.issue("a")
    assert pick(window("w1", "a", "b"), [a, b], recent=["a", "b"]) == b


def test_only_the_recent_window_counts_not_the_whole_day():
    s = Stock()
    a, b = s.issue("a"), s.issue("b")
    w = window("w1", "a", "b")  # recent window: 6 calls
    # b took the morning, but a had the last six calls.
    assert pick(w, [a, b], recent=["a"] * 6 + ["b"] * 200) == b


def test_a_queue_added_to_a_window_at_two_pm_does_not_take_every_call():
    before = window("w1", "a", "b")
    morning = list(itertools.islice(itertools.cycle("ab"), 200))  # 100 calls each
    after = replace(before, queues=(*before.queues, *window("x", "c").queues))
    afternoon = call_sequence(after, {"a": 40, "b": 40, "c": 40}, recent=morning, calls=30)
    # c catches up on the recent window (9 calls), not on the day's 100 calls of a and b.
    assert afternoon.startswith("ccc")
    assert "cccc" not in afternoon
    for start in range(len(afternoon) - 9 + 1):
        assert Counter(afternoon[start : start + 9]) == {"a": 3, "b": 3, "c": 3}


def test_after_a_skewed_history_a_queue_can_wait_longer_than_the_sum_of_weights_but_not_r_plus_n():
    # a had all six recent calls (b had nobody waiting); now both have visitors, a's older.
    w = window("w1", "a", "b")
    sequence = call_sequence(w, {"a": 10, "b": 10}, recent=["a"] * 6, calls=8)
    assert sequence == "bbbaaabb"
    longest_wait_of_a = max(len(run) for run in sequence.split("a"))
    assert longest_wait_of_a == 3 > 2  # sum(weights) = 2
    assert longest_wait_of_a <= recent_window_size(w) + 2 - 2


# ---------------------------------------------------------------- steady state under hypothesis


weights = st.lists(st.integers(1, 3), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(weights, st.lists(st.integers(0, 3), max_size=80), st.randoms(use_true_random=False))
def test_in_steady_state_every_recent_window_of_calls_follows_the_weights(ws, history, rnd):
    codes = "abcd"[: len(ws)]
    w = window("w1", *zip(codes, ws, strict=True))
    r = recent_window_size(w)
    recent = [codes[i % len(codes)] for i in history]
    s = Stock()
    waiting = [s.issue(q) for q in codes for _ in range(rnd.randint(1, 3))]
    calls = []
    for _ in range(4 * r):
        chosen = choose_next(w, waiting, recent, s.clock, timedelta(days=1))
        waiting.remove(chosen)
        recent.insert(0, chosen.queue)
        calls.append(chosen.queue)
        if not any(t.queue == chosen.queue for t in waiting):
            waiting.append(s.issue(chosen.queue))
    # Whatever the morning looked like, the first R calls reset it; after that, shares hold.
    expected = {q: RECENT_CALLS_PER_WEIGHT * weight for q, weight in zip(codes, ws, strict=True)}
    settled = calls[r:]
    for start in range(len(settled) - r + 1):
        assert Counter(settled[start : start + r]) == expected, start
    # And no queue ever waits more than R + n - 2 calls (see the module docstring).
    for q in codes:
        gaps = "".join("x" if c == q else "." for c in calls).split("x")
        assert max(len(g) for g in gaps[1:-1] or [""]) <= r + len(codes) - 2


@settings(max_examples=80, deadline=None)
@given(
    weights,
    st.lists(st.integers(0, 3), max_size=60),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=20, max_size=120),
)
def test_a_queue_with_visitors_is_called_within_r_plus_n_minus_two_calls(ws, history, arrivals):
    """Bursty arrivals: queues run dry and fill again, so the recent calls get skewed."""
    codes = "abcd"[: len(ws)]
    w = window("w1", *zip(codes, ws, strict=True))
    bound = recent_window_size(w) + len(codes) - 2
    recent = [codes[i % len(codes)] for i in history]
    s = Stock()
    waiting: list[Ticket] = []
    waited = Counter()
    for queue_index, count in arrivals:
        waiting.extend(s.issue(codes[queue_index % len(codes)]) for _ in range(count))
        chosen = choose_next(w, waiting, recent, s.clock, timedelta(days=1))
        if chosen is None:
            continue
        for q in codes:
            if q == chosen.queue or not any(t.queue == q for t in waiting):
                waited[q] = 0
            else:
                waited[q] += 1
                assert waited[q] <= bound, f"{q} passed over {waited[q]} times in a row"
        waiting.remove(chosen)
        recent.insert(0, chosen.queue)


# ---------------------------------------------------------------- a whole simulated hall


@st.composite
def halls(draw) -> Hall:
    codes = "abcd"[: draw(st.integers(1, 4))]
    windows = []
    for i in range(draw(st.integers(1, 4))):
        served = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=len(codes), unique=True))
        ws = [draw(st.integers(1, 3)) for _ in served]
        windows.append(window(f"w{i + 1}", *zip(served, ws, strict=True), number=i + 1))
    max_wait = draw(st.sampled_from([30, 120, 100_000]))
    hall = make_hall([queue(c) for c in codes], windows, max_wait_minutes=max_wait)
    return replace(hall, appointments=AppointmentRules(call_share=draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))))


small = st.integers(0, 3)
step = st.integers(0, 4)  # minutes the op takes; every op also takes one second
issue = st.tuples(st.just("issue"), small, st.sampled_from([False, False, False, False, True]), step)
call = st.tuples(st.just("call"), small, st.just(0), step)
operations = st.lists(
    st.one_of(
        issue,
        issue,
        st.tuples(st.just("rush"), small, st.integers(2, 6), st.just(0)),  # a coach party arrives
        # A booking checked in: its slot 10 minutes ago (late), now, or up to 30 minutes ahead.
        st.tuples(st.just("book"), small, st.integers(-1, 3), step),
        call,
        call,
        call,
        st.tuples(st.just("finish"), small, st.just(0), step),
        st.tuples(st.just("suspend"), small, st.just(0), step),
        st.tuples(st.just("resume"), st.integers(0, 9), st.just(0), step),
        st.tuples(st.just("send"), small, small, step),
    ),
    min_size=30,
    max_size=100,
)


@dataclass
class SimulatedHall:
    hall: Hall
    now: datetime = T0
    tickets: dict[str, Ticket] = field(default_factory=dict)
    seq: Counter = field(default_factory=Counter)
    current: dict[str, str | None] = field(default_factory=dict)
    recent: dict[str, list[str]] = field(default_factory=dict)
    recent_appointments: dict[str, list[bool]] = field(default_factory=dict)
    # ids of tickets ever sent to a window (transfer or suspension): they rightly jump the line.
    targeted_once: set[str] = field(default_factory=set)
    calls: list[tuple[str, Ticket]] = field(default_factory=list)
    finished: int = 0
    streak: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        for w in self.hall.windows:
            self.current[w.id] = None
            self.recent[w.id] = []
            self.recent_appointments[w.id] = []

    @property
    def max_wait(self) -> timedelta:
        return timedelta(minutes=self.hall.max_wait_minutes)

    def nth_window(self, i: int) -> Window:
        return self.hall.windows[i % len(self.hall.windows)]

    def issue(self, queue_index: int, green: bool) -> None:
        code = self.hall.queues[queue_index % len(self.hall.queues)].code
        self.seq[code] += 1
        t = ticket(code, self.seq[code], issued_at=self.now, priority=GREEN if green else Priority.NORMAL)
        self.tickets[t.id] = t

    def book(self, queue_index: int, slot_in: int) -> None:
        """An appointment ticket checked in now for a slot `slot_in` × 10 minutes from now."""
        code = self.hall.queues[queue_index % len(self.hall.queues)].code
        self.seq[code] += 1
        t = ticket(code, self.seq[code], issued_at=self.now, priority=Priority.APPOINTMENT)
        self.tickets[t.id] = replace(t, rank_at=max(self.now, self.now + minutes(10 * slot_in)))

    def finish(self, w: Window) -> None:
        held = self.current[w.id]
        if held is not None:
            self.tickets[held] = tk.finish(self.tickets[held], self.now)
            self.current[w.id] = None
            self.finished += 1

    def call(self, w: Window) -> Ticket | None:
        self.finish(w)
        everything = list(reversed(self.tickets.values()))
        candidates = [
            t
            for t in everything
            if t.status is Status.WAITING
            and (t.target_window == w.id if t.target_window is not None else w.serves(t.queue))
        ]
        chosen = choose_next(w, everything, self.recent[w.id], self.now, self.max_wait,
                             self.recent_appointments[w.id], self.hall.appointments.call_share)
        self.check_choice(w, candidates, chosen)
        if chosen is None:
            return None
        self.tickets[chosen.id] = tk.call(chosen, w.id, self.now)
        self.current[w.id] = chosen.id
        self.recent[w.id].insert(0, chosen.queue)
        self.recent_appointments[w.id].insert(0, chosen.priority is Priority.APPOINTMENT)
        self.calls.append((w.id, self.tickets[chosen.id]))
        return chosen

    def check_choice(self, w: Window, candidates: list[Ticket], chosen: Ticket | None) -> None:
        if not candidates:
            assert chosen is None
            return
        assert chosen is not None, "a window with someone callable must call"
        assert chosen in candidates, "the window calls only a waiting ticket it serves or that was sent to it"
        assert chosen.target_window in (None, w.id), "a ticket sent to another window is never called here"
        targeted = [t for t in candidates if t.target_window == w.id]
        aged = [t for t in candidates if self.now - t.rank_at >= self.max_wait]
        green = [t for t in candidates if t.priority is GREEN]
        due = [t for t in candidates if due_appointment(t, self.now)]
        ahead = bool(due) and may_call_appointment_ahead(
            w, self.recent_appointments[w.id], self.hall.appointments.call_share)
        if targeted:
            assert chosen == min(targeted, key=lambda t: (t.rank_at, t.number)), "sent-here tickets first"
        elif aged:
            assert chosen == min(candidates, key=lambda t: t.rank_at), "the oldest aged ticket first"
        elif green:
            assert chosen == min(green, key=lambda t: t.rank_at), "green before normal, oldest first"
        elif ahead:
            assert chosen == min(due, key=lambda t: (t.rank_at, t.number)), "a due appointment, oldest first"
        else:
            assert chosen.priority in (Priority.NORMAL, Priority.APPOINTMENT)
            assert chosen == min((t for t in candidates if t.queue == chosen.queue), key=lambda t: t.rank_at)
            recent = Counter(self.recent[w.id][: recent_window_size(w) - 1])
            share = {t.queue: recent[t.queue] / w.weight(t.queue) for t in candidates}
            assert share[chosen.queue] == min(share.values()), "the queue furthest below its share"
        if chosen.target_window is None:
            # FIFO within queue and class: nobody of the same queue and class who came earlier waits on.
            assert not [
                t
                for t in candidates
                if t.target_window is None
                and t.queue == chosen.queue
                and t.priority is chosen.priority
                and t.rank_at < chosen.rank_at
            ]
        self.check_starvation(w, candidates, chosen, share_rule=not (targeted or aged or green or ahead))

    def check_starvation(self, w: Window, candidates: list[Ticket], chosen: Ticket, share_rule: bool) -> None:
        bound = recent_window_size(w) + len(w.queues) - 2
        for sq in w.queues:
            key = (w.id, sq.queue)
            has_head = any(t.target_window is None and t.queue == sq.queue for t in candidates)
            if chosen.queue == sq.queue or not (share_rule and has_head):
                self.streak[key] = 0
                continue
            self.streak[key] += 1
            assert self.streak[key] <= bound, f"queue {sq.queue} starved at {w.id} for {self.streak[key]} calls"

    def suspend(self, w: Window) -> None:
        held = self.current[w.id]
        if held is not None:
            self.tickets[held] = tk.suspend(self.tickets[held], self.now)
            self.current[w.id] = None
            self.targeted_once.add(held)

    def resume(self, k: int) -> None:
        suspended = [t for t in self.tickets.values() if t.status is Status.SUSPENDED]
        if suspended:
            t = suspended[k % len(suspended)]
            self.tickets[t.id] = tk.resume(t, self.now)

    def send(self, w: Window, to: Window) -> None:
        held = self.current[w.id]
        if held is not None:
            target_queue = to.queues[0].queue
            self.tickets[held] = tk.transfer(self.tickets[held], target_queue, self.now, window=to.id)
            self.current[w.id] = None
            self.targeted_once.add(held)

    def check_counts(self) -> None:
        statuses = Counter(t.status for t in self.tickets.values())
        issued = sum(self.seq.values())
        assert issued == len(self.tickets)
        in_play = (Status.WAITING, Status.CALLED, Status.SERVING, Status.SUSPENDED, Status.DONE)
        assert issued == sum(statuses[s] for s in in_play), "issued = waiting + at a window + suspended + done"
        assert statuses[Status.DONE] == self.finished
        held = [tid for tid in self.current.values() if tid is not None]
        assert len(held) == len(set(held)), "two windows hold the same ticket"
        assert sorted(held) == sorted(t.id for t in self.tickets.values() if t.status in tk.ACTIVE_AT_WINDOW)
        assert len(self.calls) == sum(t.attempts for t in self.tickets.values())
        assert not statuses[Status.NO_SHOW] and not statuses[Status.CANCELLED]


def run(hall: Hall, ops) -> SimulatedHall:
    sim = SimulatedHall(hall)
    for name, a, b, dt in ops:
        sim.now += timedelta(minutes=dt, seconds=1)
        if name == "issue":
            sim.issue(a, b)
        elif name == "book":
            sim.book(a, b)
        elif name == "rush":
            for _ in range(b):
                sim.issue(a, False)
                sim.now += timedelta(seconds=1)
        elif name == "call":
            sim.call(sim.nth_window(a))
        elif name == "finish":
            sim.finish(sim.nth_window(a))
        elif name == "suspend":
            sim.suspend(sim.nth_window(a))
        elif name == "resume":
            sim.resume(a)
        elif name == "send":
            sim.send(sim.nth_window(a), sim.nth_window(b))
        sim.check_counts()
    return sim


@settings(max_examples=150, deadline=None)
@given(halls(), operations)
def test_a_simulated_hall_keeps_every_calling_rule(hall, ops):
    sim = run(hall, ops)
    # Each ticket that was never sent to a window was called at most once, and per queue and
    # class the calls came in order of place (issue order; a booking's slot for an appointment)
    # among the tickets there at the time: a booking checked in for 10:00 may be called at 09:50
    # with nobody else waiting, before one checked in at 09:55 for 09:55.
    first_calls = [t for _, t in sim.calls if t.id not in sim.targeted_once]
    assert len({t.id for t in first_calls}) == len(first_calls), "a ticket was called twice"
    by_line: dict[tuple[str, Priority], list[Ticket]] = {}
    for t in first_calls:
        by_line.setdefault((t.queue, t.priority), []).append(t)
    for line, called in by_line.items():
        for i, earlier in enumerate(called):
            for later in called[i + 1:]:
                assert earlier.called_at is not None
                if later.issued_at < earlier.called_at:
                    assert (earlier.rank_at, earlier.seq_no) < (later.rank_at, later.seq_no), (
                        f"{line} called out of place order: {earlier.number} before {later.number}")


@settings(max_examples=60, deadline=None)
@given(halls(), operations)
def test_a_hall_that_keeps_calling_leaves_nobody_it_can_serve_waiting(hall, ops):
    sim = run(hall, ops)
    for w in hall.windows:
        sim.finish(w)
    while True:
        sim.now += timedelta(minutes=1)
        called = [sim.call(w) for w in hall.windows]
        sim.check_counts()
        if not any(called):
            break
    left = [t for t in sim.tickets.values() if t.status is Status.WAITING]
    assert all(t.target_window is None and not hall.windows_serving(t.queue) for t in left)


@pytest.mark.parametrize("bad_status", [Status.CALLED, Status.SERVING, Status.DONE])
def test_the_simulation_notices_a_policy_that_calls_a_busy_ticket(bad_status):
    """Guard against a vacuous simulation: the checks do fail on a wrong choice."""
    hall = make_hall([queue("a")], [window("w1", "a")])
    sim = SimulatedHall(hall)
    good = ticket("a", 1)
    bad = replace(ticket("a", 2, issued_at=T0 - minutes(1)), status=bad_status)
    with pytest.raises(AssertionError):
        sim.check_choice(hall.windows[0], [good], bad)


def test_the_simulation_notices_a_policy_that_skips_an_older_ticket():
    hall = make_hall([queue("a")], [window("w1", "a")])
    sim = SimulatedHall(hall)
    older, newer = ticket("a", 1, issued_at=T0 - minutes(1)), ticket("a", 2)
    with pytest.raises(AssertionError):
        sim.check_choice(hall.windows[0], [older, newer], newer)
