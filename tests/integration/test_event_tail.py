"""One event tail per process for all its halls (issue 16): one connection holds every hall's
emitter lock, each hall's events go out in its own seq order, and when that process goes its halls
pass to another process's tail."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from server.app.event_tail import EventTail
from server.app.publisher import Publisher
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.uow import SYSTEM, UnitOfWork
from tests.support.pg_locks import OWN_ADVISORY_LOCKS

pytestmark = [pytest.mark.postgres]

HALLS = ("city", "east", "west")


def change(engine, hall: str, what: str) -> None:
    from datetime import UTC, datetime

    with UnitOfWork(engine, SYSTEM, datetime.now(UTC), hall=hall) as uow:
        uow.audit("test.change", what)
        uow.emit("test.event", ["hall"], {"what": what})
        uow.commit()


def until(done: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    return done()


def start(engine, sent: dict[str, list[int]]) -> tuple[list[Publisher], threading.Thread]:
    pubs = [Publisher(engine, h, lambda event, data, rooms, h=h: sent[h].append(data["seq"])) for h in HALLS]
    thread = threading.Thread(target=EventTail(engine, pubs).run, daemon=True)
    thread.start()
    return pubs, thread


@contextmanager
def one_tail(pg_url: str) -> Iterator[tuple[Any, dict[str, list[int]]]]:
    """One process's tail for HALLS on a fresh database, leading them all: (engine, seqs sent)."""
    engine = make_engine(pg_url)
    upgrade(engine)
    sent: dict[str, list[int]] = {h: [] for h in HALLS}
    pubs, thread = start(engine, sent)
    try:
        assert until(lambda: all(p.leader for p in pubs))
        yield engine, sent
    finally:
        for p in pubs:
            p.stop()
        thread.join(10)
        engine.dispose()


def test_one_tail_emits_every_hall_in_order_on_one_connection(pg_url):
    with one_tail(pg_url) as (engine, sent):
        for i in range(5):
            for h in HALLS:
                change(engine, h, f"{h}-{i}")
        assert until(lambda: all(len(sent[h]) == 5 for h in HALLS)), sent
        for h in HALLS:
            assert sent[h] == sorted(sent[h]) and len(set(sent[h])) == 5  # each hall's own seqs, in order
        with engine.connect() as conn:
            locks = conn.execute(text(f"SELECT count(DISTINCT pid), count(*) {OWN_ADVISORY_LOCKS}")).one()
        assert tuple(locks) == (1, 3), "three halls' locks, one session"


def test_the_halls_pass_to_another_process_when_the_emitter_goes(pg_url):
    first_engine, second_engine = make_engine(pg_url), make_engine(pg_url)
    upgrade(first_engine)
    first: dict[str, list[int]] = {h: [] for h in HALLS}
    second: dict[str, list[int]] = {h: [] for h in HALLS}
    first_pubs, first_thread = start(first_engine, first)
    try:
        assert until(lambda: all(p.leader for p in first_pubs))
        second_pubs, second_thread = start(second_engine, second)
        time.sleep(1.5)
        assert not any(p.leader for p in second_pubs), "the first process keeps its halls"
        change(first_engine, "east", "before")
        assert until(lambda: len(first["east"]) == 1) and second["east"] == []
        for p in first_pubs:  # the first process ends: its session, and its locks, with it
            p.stop()
        first_thread.join(10)
        first_engine.dispose()
        assert until(lambda: all(p.leader for p in second_pubs), 10)
        change(second_engine, "west", "after")
        assert until(lambda: len(second["west"]) >= 1)
        for p in second_pubs:
            p.stop()
        second_thread.join(10)
    finally:
        first_engine.dispose()
        second_engine.dispose()


def test_the_halls_spread_over_the_processes(pg_url, monkeypatch):
    from server.app import event_tail

    monkeypatch.setattr(event_tail, "SURPLUS_HOLD_S", 0.5)
    halls = ("city", "east", "west", "north")
    engines = [make_engine(pg_url), make_engine(pg_url)]
    upgrade(engines[0])
    sent: list[dict[str, list[int]]] = [{h: [] for h in halls}, {h: [] for h in halls}]
    tails: list[tuple[list[Publisher], threading.Thread]] = []
    try:
        for i, engine in enumerate(engines):
            pubs = [Publisher(engine, h, lambda event, data, rooms, h=h, i=i: sent[i][h].append(data["seq"]))
                    for h in halls]
            thread = threading.Thread(target=EventTail(engine, pubs).run, daemon=True)
            thread.start()
            tails.append((pubs, thread))
            if i == 0:  # the first process up takes every hall
                assert until(lambda pubs=pubs: all(p.leader for p in pubs))
        # The first gives its surplus up and the second takes it: two halls each.
        assert until(lambda: [sum(p.leader for p in pubs) for pubs, _ in tails] == [2, 2], 20)
        for pubs_a, pubs_b in zip(tails[0][0], tails[1][0], strict=True):
            assert pubs_a.leader != pubs_b.leader  # each hall has one emitter
        for h in halls:
            change(engines[0], h, h)
        assert until(lambda: all(len(sent[0][h]) + len(sent[1][h]) == 1 for h in halls)), sent
    finally:
        for pubs, thread in tails:
            for p in pubs:
                p.stop()
            thread.join(10)
        for engine in engines:
            engine.dispose()


def test_a_quiet_tail_looks_at_every_hall_in_one_read_and_reads_no_log(pg_url):
    reads: list[str] = []

    def seen(_conn, _cursor, statement: str, *_) -> None:
        reads.append(" ".join(statement.split()))

    with one_tail(pg_url) as (engine, sent):
        for h in HALLS:
            change(engine, h, h)
        assert until(lambda: all(len(sent[h]) == 1 for h in HALLS)), sent
        time.sleep(1.0)  # the marks written once the halls went quiet
        event.listen(engine, "before_cursor_execute", seen)
        time.sleep(3.2)  # three idle rounds
        event.remove(engine, "before_cursor_execute", seen)
    log_reads = [r for r in reads if "FROM event_log" in r]
    looks = [r for r in reads if "FROM counters" in r]
    assert log_reads == [], "a quiet hall's log is not read"
    assert 2 <= len(looks) <= 4, looks  # one read of every hall's latest seq a round


def test_a_change_whose_notification_went_astray_still_goes_out_within_about_a_second(pg_url, monkeypatch):
    from server.db.event_log import EmitterConnection

    heard_nothing = EmitterConnection.wait

    def deaf(self, timeout: float):
        heard_nothing(self, timeout)  # waits as long, and loses what it heard
        return None

    monkeypatch.setattr(EmitterConnection, "wait", deaf)
    with one_tail(pg_url) as (engine, sent):
        change(engine, "east", "east-1")
        began = time.monotonic()
        assert until(lambda: len(sent["east"]) == 1, 5), sent
        assert time.monotonic() - began < 2.5
        assert sent["city"] == [] and sent["west"] == []


def test_the_halls_marks_are_written_together(pg_url):
    from server.db.event_log import emitted_mark

    writes: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement: str, params, *_) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO COUNTERS") and "emitted" in str(params):
            writes.append((statement, params))

    with one_tail(pg_url) as (engine, sent):
        time.sleep(0.6)
        event.listen(engine, "before_cursor_execute", seen)
        for h in HALLS:
            change(engine, h, h)
        assert until(lambda: all(len(sent[h]) == 1 for h in HALLS)), sent
        # Within a mark interval of the last event, every hall's mark is what it sent.
        assert until(lambda: all(emitted_mark(engine, h) == (sent[h][-1], sent[h][-1]) for h in HALLS), 3)
        event.remove(engine, "before_cursor_execute", seen)
    assert 1 <= len(writes) <= 2, writes  # the three halls' marks in one or two writes, not three
