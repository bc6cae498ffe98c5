"""The publisher sends a change's call before its other events reach the sockets, keeps every
room's events in seq order, and never makes a request wait on another's sending."""

from __future__ import annotations

import threading

from server.app.publisher import Publisher
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.uow import Committed, Emitted


def change(seq: int, *events: str) -> Committed:
    return Committed(seq=seq, events=[Emitted(e, ["hall"], {"seq": seq}) for e in events])


def make(tmp_path, emit, **kw) -> Publisher:
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(engine)
    return Publisher(engine, "city", emit, **kw)


def at_once(fn) -> None:
    """The task the rest of a change after its call goes from: here, run at once."""
    fn()


def test_the_writers_run_right_after_the_call_before_the_rest_of_its_change(tmp_path):
    sent: list[str] = []
    pub = make(tmp_path, lambda event, data, rooms: sent.append(event), yield_to_writers=lambda: sent.append("|"),
               spawn=at_once)
    pub.publish(change(1, "ticket.called", "ticket.announce", "window.updated", "queue.updated"))
    pub.publish(change(2, "queue.updated", "ticket.called"))  # nothing after the call: no yield
    assert sent == ["ticket.called", "|", "ticket.announce", "window.updated", "queue.updated",
                    "queue.updated", "ticket.called"]


def test_a_change_published_while_another_is_sending_goes_out_after_it_without_waiting(tmp_path):
    sent: list[tuple[int, str]] = []
    later: list[str] = []
    pub: Publisher

    def writers_run() -> None:
        # Another request commits while this one lets the sockets' writers run: it hands its
        # events over and returns at once (it still holds its database connection).
        if not later:
            later.append("published")
            pub.publish(change(2, "ticket.called", "queue.updated"))
            later.append("returned")
            assert sent == [(1, "ticket.called")]  # not sent by the second caller

    pub = make(tmp_path, lambda event, data, rooms: sent.append((data["seq"], event)), yield_to_writers=writers_run,
               spawn=at_once)
    pub.publish(change(1, "ticket.called", "queue.updated"))
    assert later == ["published", "returned"]
    assert sent == [(1, "ticket.called"), (1, "queue.updated"), (2, "ticket.called"), (2, "queue.updated")]


def test_threads_publishing_at_once_send_every_event_once_in_seq_order(tmp_path):
    sent: list[int] = []
    gate = threading.Event()
    first = threading.Event()

    def emit(event, data, rooms) -> None:
        if not first.is_set():
            first.set()
            gate.wait(10)  # the first sender is slow (a thousand sockets)
        sent.append(data["seq"])

    pub = make(tmp_path, emit)
    t = threading.Thread(target=pub.publish, args=(change(1, "ticket.called", "queue.updated"),))
    t.start()
    assert first.wait(10)
    others = [threading.Thread(target=pub.publish, args=(change(s, "ticket.called", "queue.updated"),))
              for s in (3, 2, 5, 4)]
    for o in others:
        o.start()
    for o in others:
        o.join(5)
        assert not o.is_alive(), "a publisher waited on another's sending"
    gate.set()
    t.join(10)
    assert sent == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_the_window_gets_its_answer_before_the_rest_of_its_change_is_queued(tmp_path):
    sent: list[tuple[int, str]] = []
    later: list = []
    pub = make(tmp_path, lambda event, data, rooms: sent.append((data["seq"], event)),
               yield_to_writers=lambda: None, spawn=later.append)
    pub.publish(change(1, "ticket.called", "window.updated", "queue.updated"))
    assert sent == [(1, "ticket.called")]  # the call-next returns now; the screens are written to
    pub.publish(change(2, "queue.updated"))  # another change meanwhile waits its turn
    assert sent == [(1, "ticket.called")]
    later.pop()()
    assert sent == [(1, "ticket.called"), (1, "window.updated"), (1, "queue.updated"), (2, "queue.updated")]
    assert later == []


def test_the_emitters_mark_never_passes_the_rest_of_a_call_still_to_send(tmp_path):
    """A successor resumes after the mark: what is still in the outbox must go out again."""
    from server.db import event_log

    later: list = []
    pub = make(tmp_path, lambda event, data, rooms: None, yield_to_writers=lambda: None, spawn=later.append)
    pub.publish(change(1, "queue.updated"))
    pub.publish(change(2, "ticket.called", "window.updated", "queue.updated"))
    pub.mark()
    assert event_log.emitted_mark(pub._engine, "city")[1] == 1, "seq 2 is half sent"
    later.pop()()
    pub.mark()
    assert event_log.emitted_mark(pub._engine, "city")[1] == 2
