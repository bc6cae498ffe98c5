"""On PostgreSQL every committed change wakes the event emitter (migration 0007): a listener on
`hallq_events` hears of it when it commits, and of nothing a rolled-back change wrote. Since 0021 the
notification names the change's hall, and a hall's emitter sleeps through the others' changes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg

from server.db.engine import make_engine
from server.db.event_log import EVENTS_CHANNEL, emitter_connection
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
            listener.execute(f"LISTEN {EVENTS_CHANNEL}")
            _change(engine, commit=False)
            assert list(listener.notifies(timeout=0.5)) == []
            _change(engine, commit=True)
            heard = list(listener.notifies(timeout=10, stop_after=1))
            assert [n.channel for n in heard] == [EVENTS_CHANNEL]
    finally:
        engine.dispose()


def test_each_hall_s_emitter_wakes_for_its_own_hall_s_changes_only(pg_url):
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        with psycopg.connect(pg_url, autocommit=True) as listener:
            listener.execute(f"LISTEN {EVENTS_CHANNEL}")
            _change(engine, commit=True)
            assert [n.payload for n in listener.notifies(timeout=10, stop_after=1)] == ["city"]
        with emitter_connection(engine) as conn:
            assert conn.try_lead_all(["d1"]) == {"d1"}

            def wait(timeout: float) -> None:  # as the tail waits for d1: its notifications only
                deadline = time.monotonic() + timeout
                while (left := deadline - time.monotonic()) > 0:
                    heard = conn.wait(left)
                    if heard is None or "d1" in heard or "" in heard:
                        return

            _change(engine, commit=True)  # city's: d1's emitter sleeps on
            began = time.monotonic()
            wait(0.6)
            assert time.monotonic() - began >= 0.55
            with UnitOfWork(engine, SYSTEM, NOW, hall="d1") as uow:
                uow.audit("test.change", "y")
                uow.commit()
            began = time.monotonic()
            wait(10)
            assert time.monotonic() - began < 5
    finally:
        engine.dispose()
