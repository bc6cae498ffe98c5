"""The emitter's mark never passes what the message queue has not taken: a successor sends it."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from server.app import accounts
from server.app.context import Services
from server.app.event_tail import EventTail
from server.app.publisher import Publisher
from server.db.engine import make_engine
from server.db.event_log import EMITTED
from server.db.migrate import upgrade
from server.db.tables import counters
from server.hallconfig import DEFAULT_CONFIG, load_hall

pytestmark = [pytest.mark.postgres]


def emitted_mark(engine) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(counters.c.value).where(counters.c.name == EMITTED)).scalar()


def run_until(engine, publisher: Publisher, done) -> None:
    thread = threading.Thread(target=EventTail(engine, [publisher]).run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    publisher.stop()
    thread.join(10)
    assert done()


def test_a_successor_resends_what_the_message_queue_never_took(pg_url):
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        svc = Services(hall=load_hall(DEFAULT_CONFIG), engine=engine)
        for i in range(4):  # four changes, each with an event (a credential's end)
            accounts.add_device(svc, f"screen-{i}", "display")
            accounts.revoke_device(svc, f"screen-{i}")
        with engine.connect() as conn:
            last = conn.execute(select(counters.c.value).where(counters.c.name == "seq")).scalar()
        sent: list[int] = []
        # Redis refused everything from the third revocation on.
        first_refused = last - 2
        first = Publisher(engine, "city", lambda event, data, rooms: sent.append(data["seq"]),
                          unsent=lambda: first_refused)
        first._mark_emitted(0)  # a predecessor sent nothing: this one starts at the beginning
        run_until(engine, first, lambda: sent and sent[-1] == last and emitted_mark(engine) == first_refused - 1)
        assert emitted_mark(engine) == first_refused - 1

        engine.dispose()  # the first emitter's session ends, and its advisory lock with it
        again: list[int] = []
        successor = Publisher(engine, "city", lambda event, data, rooms: again.append(data["seq"]))
        run_until(engine, successor, lambda: again and again[-1] == last)
        assert again[0] == first_refused, "the successor starts at the first event Redis never took"
    finally:
        engine.dispose()
