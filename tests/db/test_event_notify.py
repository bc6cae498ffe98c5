"""On PostgreSQL every committed change wakes the event emitter (migration 0007): a listener hears
of it when it commits, and of nothing a rolled-back change wrote. Since 0023 each hall's changes
notify a channel of the hall's own, and a process's tail listens only to the halls it emits for:
it sleeps through the other halls' changes, and a process that emits for no hall through all."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg

from server.db.engine import make_engine
from server.db.event_log import emitter_connection, events_channel, read_events
from server.db.migrate import upgrade
from server.db.uow import SYSTEM, UnitOfWork

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _change(engine, *, commit: bool) -> None:
    with UnitOfWork(engine, SYSTEM, NOW, hall="city") as uow:
        uow.audit("test.change", "x")
        uow.emit("window.updated", ["hall"], {"window": {"id": "1"}})
        if commit:
            uow.commit()


def test_a_committed_change_notifies_the_emitter_and_a_rolled_back_one_does_not(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        with psycopg.connect(pg_url, autocommit=True) as listener:
            listener.execute(f'LISTEN "{events_channel("city")}"')
            _change(engine, commit=False)
            assert list(listener.notifies(timeout=0.5)) == []
            _change(engine, commit=True)
            heard = list(listener.notifies(timeout=10, stop_after=1))
            assert [n.channel for n in heard] == ["hallq_events:city"]
    finally:
        engine.dispose()


def test_each_hall_s_emitter_wakes_for_its_own_hall_s_changes_only(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        with emitter_connection(engine) as conn:
            assert conn.wait(0.3) is None  # it emits for no hall yet: nothing wakes it
            assert conn.try_lead_all(["d1"]) == {"d1"}
            _change(engine, commit=True)  # city's: d1's emitter is not woken at all
            began = time.monotonic()
            assert conn.wait(0.6) is None and time.monotonic() - began >= 0.55
            with UnitOfWork(engine, SYSTEM, NOW, hall="d1") as uow:
                uow.audit("test.change", "y")
                uow.commit()
            assert conn.wait(10) == {"d1"}
            conn.release(["d1"])  # given up: its changes no longer wake this process
            with UnitOfWork(engine, SYSTEM, NOW, hall="d1") as uow:
                uow.audit("test.change", "z")
                uow.commit()
            assert conn.wait(0.5) is None
    finally:
        engine.dispose()


def test_the_tail_reads_the_log_on_its_own_connection_and_still_hears_the_next_change(pg_url):
    """The tail reads a hall's log on its listening connection (no pooled checkout per change).
    PostgreSQL holds a notification back while its listener is inside a transaction: a read that
    left one open would leave the next change unheard until the once-a-second look."""
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        with emitter_connection(engine) as conn:
            assert conn.try_lead_all(["city"]) == {"city"}
            _change(engine, commit=True)
            assert conn.wait(10) == {"city"}
            first = conn.read_events("city", 0)
            assert [e.event for c in first for e in c.events] == ["window.updated"]
            assert [(c.seq, c.events) for c in first] == [(c.seq, c.events) for c in read_events(engine, "city", 0)]
            _change(engine, commit=True)
            assert conn.wait(2) == {"city"}
            assert [c.seq for c in conn.read_events("city", first[-1].seq)] == [first[-1].seq + 1]
    finally:
        engine.dispose()
