"""Article 26, no visitor stranded: a window that stops being held hands its tickets back to their
queues, nobody is sent to a window nobody holds, and a waiting ticket no held window would call is
flagged `unserved`. Then one rule for which window may serve which ticket.

The property at the end drives random sequences of window actions through the core's functions,
in the order `server.app.window_ops` applies them, and checks that every waiting ticket is either
called in the end by some open window or was flagged."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import calling
from server.core import tickets as tk
from server.core import windows as win
from server.core.errors import DomainError, IllegalTransition, NotThisWindow, WindowUnstaffed
from server.core.hall import Window
from server.core.tickets import Status, Ticket
from server.core.windows import Role, Staff, WindowState, WindowStatus

from .halls import T0, make_hall, minutes, proxy_window, queue, ticket, window

W1 = window("1", "A", number=1)
W2 = window("2", "A", "B", number=2)
W3 = window("3", "B", number=3)
W4 = window("4", "C", department="D2", number=4)
W5 = proxy_window("5", "C", number=5)
HALL = make_hall([queue("A"), queue("B"), queue("C", department="D2")], [W1, W2, W3, W4, W5])
MAX_WAIT = timedelta(minutes=90)


def held(window_id: str, status: WindowStatus = WindowStatus.OPEN, staff_id: int = 1) -> WindowState:
    return WindowState(window=window_id, status=status, staff_id=staff_id, since=T0)


def staff(department: str | None = None, role: Role = Role.WINDOW) -> Staff:
    return Staff(id=7, username="zhang", role=role, department=department)


# -- releasing a window's tickets ---------------------------------------------------------------


def test_a_ticket_sent_to_a_window_goes_back_to_its_queue_keeping_its_place():
    sent = replace(ticket("A", 3, issued_at=T0 - minutes(40)), target_window="2", origin_queue="B")
    back = tk.release(sent, "2", T0)
    assert back.status is Status.WAITING and back.target_window is None
    assert (back.number, back.queue, back.rank_at) == (sent.number, "A", T0 - minutes(40))


def test_the_ticket_a_window_had_called_goes_back_to_waiting_in_its_place():
    called = tk.start(tk.call(ticket("A", 1), "1", T0), T0 + minutes(1))
    back = tk.release(called, "1", T0 + minutes(2))
    assert back.status is Status.WAITING and back.window is None and back.rank_at == called.rank_at
    assert tk.call(back, "2", T0 + minutes(3)).window == "2", "any window of the queue calls it now"


def test_a_suspended_visitor_of_a_closed_window_may_rejoin_at_any_window_of_the_queue():
    suspended = tk.suspend(tk.call(ticket("A", 1), "1", T0), T0)
    freed = tk.release(suspended, "1", T0)
    assert freed.status is Status.SUSPENDED and freed.target_window is None
    back = tk.resume(freed, T0, window="2")
    assert back.status is Status.WAITING and back.target_window == "2"


def test_release_refuses_a_ticket_the_window_does_not_hold():
    with pytest.raises(IllegalTransition):
        tk.release(ticket("A", 1), "1", T0)
    with pytest.raises(IllegalTransition):
        tk.release(replace(ticket("A", 1), target_window="2"), "1", T0)


def test_signing_off_closes_the_window_whatever_it_was_on():
    state = replace(held("1", WindowStatus.PAUSED), current_ticket="t-A-1", pause_reason="午休")
    off = win.sign_off(state, T0)
    assert (off.status, off.staff_id, off.current_ticket, off.pause_reason) == (WindowStatus.CLOSED, None, None, "")


def test_nobody_is_sent_to_a_window_nobody_holds():
    with pytest.raises(WindowUnstaffed) as refused:
        win.require_receiving(WindowState(window="3"), W3)
    assert "3号窗口" in refused.value.message and "Window 3" in refused.value.message
    win.require_receiving(held("3"), W3)
    win.require_receiving(held("3", WindowStatus.PAUSED), W3)  # back after lunch


# -- unserved -------------------------------------------------------------------------------------


def test_a_paused_window_still_serves_its_queue_a_closed_one_does_not():
    t = ticket("A", 1)
    assert not calling.unserved(t, HALL.windows, {"1": held("1", WindowStatus.PAUSED)})
    assert calling.unserved(t, HALL.windows, {"1": WindowState(window="1")})
    assert calling.unserved(t, HALL.windows, {})


def test_a_ticket_sent_to_a_closed_window_is_unserved_though_its_queue_is_open_elsewhere():
    sent = replace(ticket("A", 1), target_window="1")
    assert calling.unserved(sent, HALL.windows, {"2": held("2"), "1": WindowState(window="1")})
    assert not calling.unserved(sent, HALL.windows, {"1": held("1")})


def test_only_waiting_tickets_are_ever_unserved():
    called = tk.call(ticket("A", 1), "1", T0)
    assert not calling.unserved(called, HALL.windows, {})


# -- which window may serve which ticket -----------------------------------------------------------


def test_a_window_may_serve_its_queues_and_the_tickets_sent_to_it_only():
    assert calling.may_serve(W1, ticket("A", 1))
    assert not calling.may_serve(W1, ticket("C", 1))
    assert calling.may_serve(W1, replace(ticket("C", 1), target_window="1"))
    assert calling.may_serve(W5, ticket("C", 1))  # the proxy window serves C


def test_the_refusal_names_the_window_and_the_queue_in_chinese_and_english():
    with pytest.raises(NotThisWindow) as refused:
        calling.require_may_serve(HALL, W1, ticket("C", 1))
    message = refused.value.message
    assert message.index("1号窗口") < message.index("Window 1")
    assert "队列C" in message and "queue C" in message and "C001" in message
    assert refused.value.kind == "forbidden"


def test_an_item_is_recorded_only_at_a_window_serving_its_queue():
    calling.require_item_here(HALL, W1, HALL.item("A-001"))
    with pytest.raises(NotThisWindow, match="C-001"):
        calling.require_item_here(HALL, W1, HALL.item("C-001"))


def test_staff_may_serve_their_departments_and_the_proxy_windows_tickets():
    assert calling.staff_may_serve(HALL, staff("D1"), ticket("A", 1))
    assert not calling.staff_may_serve(HALL, staff("D2"), ticket("A", 1))
    assert calling.staff_may_serve(HALL, staff("D1"), ticket("C", 1)), "D1 staff may sign in at proxy window 5"
    assert calling.staff_may_serve(HALL, staff(role=Role.MANAGER), ticket("C", 1))


# -- the property: every waiting ticket is called in the end, or was flagged ------------------------


@dataclass
class Model:
    """The hall's state as the handlers keep it, moved by the core's functions only."""

    states: dict[str, WindowState] = field(
        default_factory=lambda: {w.id: WindowState(window=w.id) for w in HALL.windows}
    )
    tickets: dict[str, Ticket] = field(default_factory=dict)
    now: datetime = T0
    seq: int = 0

    def window(self, i: int) -> Window:
        return HALL.windows[i % len(HALL.windows)]

    def pick(self, action: str, i: int) -> Window | None:
        """A window the action makes sense at, so that random steps mostly do something (a close
        right after a suspension at the same window, not at any of five)."""
        def fits(state: WindowState) -> bool:
            if action == "open":
                return state.status is WindowStatus.CLOSED
            if action in ("pause", "call"):
                return state.status is WindowStatus.OPEN and (action == "pause" or state.current_ticket is None)
            if action == "resume":
                return state.status is WindowStatus.PAUSED
            if action in ("finish", "suspend", "transfer"):
                return state.current_ticket is not None
            return win.is_serving(state)  # close, sign_off, resume_ticket
        pool = [w for w in HALL.windows if fits(self.states[w.id])]
        return pool[i % len(pool)] if pool else None

    def tick(self) -> None:
        self.now += timedelta(seconds=30)

    def save(self, t: Ticket) -> None:
        self.tickets[t.id] = t

    def current(self, w: Window) -> Ticket:
        state = self.states[w.id]
        if state.current_ticket is None:
            raise IllegalTransition("no current ticket")
        return self.tickets[state.current_ticket]

    def release_held(self, w: Window) -> None:
        for t in list(self.tickets.values()):
            if tk.held_by(w.id, t):
                self.save(tk.release(t, w.id, self.now))

    # Each action as window_ops does it; a refused one changes nothing.
    def issue(self, q: str) -> None:
        self.seq += 1
        self.save(replace(ticket(q, self.seq, issued_at=self.now), id=f"t{self.seq}"))

    def open(self, w: Window) -> None:
        person = Staff(id=w.number, username=f"s{w.number}", role=Role.WINDOW)
        self.states[w.id] = win.open_window(self.states[w.id], w, person, self.now)

    def pause(self, w: Window) -> None:
        self.states[w.id] = win.pause(self.states[w.id], "午休", self.now)

    def resume(self, w: Window) -> None:
        self.states[w.id] = win.resume(self.states[w.id], self.now)

    def close(self, w: Window) -> None:
        closed = win.close(self.states[w.id], self.now)
        self.release_held(w)
        self.states[w.id] = closed

    def sign_off(self, w: Window) -> None:
        if self.states[w.id].status is WindowStatus.CLOSED:
            return
        self.release_held(w)
        self.states[w.id] = win.sign_off(self.states[w.id], self.now)

    def call(self, w: Window) -> None:
        win.require_calling(self.states[w.id])
        waiting = [t for t in self.tickets.values() if t.status is Status.WAITING]
        pick = calling.choose_next(w, waiting, [], self.now, MAX_WAIT)
        if pick is not None:
            self.save(tk.call(pick, w.id, self.now))
            self.states[w.id] = replace(self.states[w.id], current_ticket=pick.id)

    def _done_with(self, w: Window, after: Ticket) -> None:
        self.save(after)
        self.states[w.id] = replace(self.states[w.id], current_ticket=None)

    def finish(self, w: Window) -> None:
        win.require_staffed_by(self.states[w.id], Staff(id=w.number, username="", role=Role.WINDOW))
        self._done_with(w, tk.finish(self.current(w), self.now))

    def suspend(self, w: Window) -> None:
        self._done_with(w, tk.suspend(self.current(w), self.now))

    def transfer(self, w: Window, to: Window | None, q: str) -> None:
        t = self.current(w)
        if to is not None:
            q = to.queues[0].queue
            win.require_receiving(self.states[to.id], to)
        self._done_with(w, tk.transfer(t, q, self.now, window=to.id if to else None))

    def resume_ticket(self, w: Window, k: int) -> None:
        suspended = sorted(t.id for t in self.tickets.values() if t.status is Status.SUSPENDED)
        if not suspended or not win.is_serving(self.states[w.id]):
            return
        t = self.tickets[suspended[k % len(suspended)]]
        calling.require_may_serve(HALL, w, t)
        self.save(tk.resume(t, self.now, window=w.id))

    def apply(self, step: tuple) -> None:
        name, i, to_index, q, k = step
        w = self.pick(name, i) or self.window(i)
        try:
            if name == "issue":
                self.issue(q)
            elif name == "transfer":
                self.transfer(w, None if to_index is None else self.window(to_index), q)
            elif name == "resume_ticket":
                self.resume_ticket(w, k)
            else:
                getattr(self, name)(w)
        except DomainError:
            pass  # refused: the handler answers 4xx and changes nothing
        self.tick()


WINDOW = st.integers(0, len(HALL.windows) - 1)
# Weighted by repetition: a hall mostly issues, opens and calls, and a transfer needs a call first.
ACTIONS = ["issue"] * 4 + ["open"] * 3 + ["call"] * 4 + [
    "pause", "resume", "close", "sign_off", "finish", "finish", "suspend", "transfer", "transfer", "resume_ticket",
]
STEP = st.tuples(st.sampled_from(ACTIONS), WINDOW, st.none() | WINDOW, st.sampled_from("ABC"), st.integers(0, 5))


def drain(m: Model) -> set[str]:
    """Every held window comes back from its pause and calls and finishes until nobody calls anything
    more; returns the tickets still waiting."""
    for w in HALL.windows:
        state = m.states[w.id]
        if state.status is WindowStatus.PAUSED:
            m.resume(w)
        if state.current_ticket is not None:
            m.finish(w)
    progress = True
    while progress:
        progress = False
        for w in HALL.windows:
            if m.states[w.id].status is WindowStatus.OPEN:
                m.call(w)
                if m.states[w.id].current_ticket is not None:
                    m.finish(w)
                    progress = True
    return {t.id for t in m.tickets.values() if t.status is Status.WAITING}


@settings(max_examples=400, deadline=None)
@given(st.lists(STEP, min_size=10, max_size=80))
def test_every_waiting_ticket_is_callable_by_some_held_window_or_flagged_unserved(steps):
    m = Model()
    for step in steps:
        m.apply(step)
        for t in m.tickets.values():
            if t.status in (Status.WAITING, Status.SUSPENDED) and t.target_window is not None:
                assert win.is_serving(m.states[t.target_window]), f"{t.number} waits for a window nobody holds"
    flagged = {t.id for t in m.tickets.values() if calling.unserved(t, HALL.windows, m.states)}
    assert drain(m) == flagged, "a ticket no window called was not flagged, or a flagged one was called"
