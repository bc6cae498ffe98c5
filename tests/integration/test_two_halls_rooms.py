"""Two halls on one installation (issue 16): one PostgreSQL, one Redis, a process per hall (two
for the demo hall). A display of each hall in `hall` and `queue:A` gets its own hall's events
only, each hall's `seq` counts from its own 1, and a `resync` of one hall misses the other's
screens. (That two halls' events never meet inside one Socket.IO server, where only the rooms
tell them apart, is tests/api/test_socket_rooms.py's.)
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from server.hallconfig import DEFAULT_CONFIG
from tests.support.server_process import ServerProcess

from .conftest import PASSWORD, Api, Listener, db_rows, new_device, new_users

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ROOMS = ["hall", "queue:A"]
# Both halls open and call at their own window "1", which both have, serving queue A.
D1_WINDOW = "1"
CITY_HALL = '[hall]\ncode = "city"\nname = "某市政务服务中心"\nname_en = "Municipal Government Service Center"\n'
D1_HALL = '[hall]\ncode = "d1"\nname = "某区政务服务中心"\nname_en = "District Government Service Center"\n'


def second_hall(where: Path) -> Path:
    """The demo hall's file as hall "d1" (its forms beside it, as the loader looks for them)."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert CITY_HALL in text, "config/hall.toml's [hall] head changed: update this test"
    where.mkdir(parents=True)
    (where / "hall.toml").write_text(text.replace(CITY_HALL, D1_HALL, 1), encoding="utf-8")
    (where / "forms").symlink_to(DEFAULT_CONFIG.parent / "forms")
    return where / "hall.toml"


def logged(server: ServerProcess, hall: str, rooms: list[str], after: int) -> list[tuple[int, str]]:
    """(seq, event) of `hall`'s log after `after` that a client in `rooms` is sent, in order."""
    rows = db_rows(server, "SELECT seq, events FROM event_log WHERE hall = :hall AND seq > :after ORDER BY seq",
                   hall=hall, after=after)
    return [(seq, e["event"]) for seq, events in rows for e in events if set(rooms) & set(e["rooms"])]


def set_mark(db_url: str, hall: str, seq: int) -> None:
    """Set `hall`'s emitter mark (committed: db_rows only reads)."""
    from sqlalchemy import text

    from server.db.engine import make_engine

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counters SET value = :seq WHERE hall = :hall AND name = 'emitted'"),
                         {"seq": seq, "hall": hall})
    finally:
        engine.dispose()


def wait_for(predicate: Any, timeout: float = 60) -> bool:
    stop = threading.Event()
    for _ in range(int(timeout * 10)):
        if predicate():
            return True
        stop.wait(0.1)
    return predicate()


def ticket_ids(listener: Listener, event: str) -> set[str]:
    return {d["ticket"]["id"] for n, d in listener.snapshot() if n == event}


def test_each_halls_screens_get_only_their_halls_events(start_server, listeners, pg_url, redis_url, tmp_path):
    d1_config = second_hall(tmp_path / "d1-config")
    keys: dict[str, str] = {}

    def prepare_city(server: ServerProcess) -> None:
        # Device and user names are the installation's: each hall's have their own.
        keys["kiosk-city"] = new_device(server, "kiosk-city", "kiosk")  # also creates the tables
        keys["display-city"] = new_device(server, "display-city", "display")
        new_users(pg_url, ["w-city"])

    def prepare_d1(server: ServerProcess) -> None:
        keys["kiosk-d1"] = new_device(server, "kiosk-d1", "kiosk")
        keys["display-d1"] = new_device(server, "display-d1", "display")
        out = server.cli("user", "add", "w-d1", "--role", "window", stdin=PASSWORD + "\n")
        assert out.returncode == 0, out.stderr

    common: dict[str, Any] = {"seed": False, "db_url": pg_url, "message_queue": redis_url}
    city_a = start_server("city-a", prepare=prepare_city, **common)
    assert wait_for(lambda: "now emits" in city_a.log_text()), "the first process of city never emitted"
    city_b = start_server("city-b", **common)
    d1 = start_server("d1", prepare=prepare_d1, env={"HALLQ_CONFIG": str(d1_config)}, **common)
    api_city, api_city_b, api_d1 = Api(city_a), Api(city_b), Api(d1)

    # The city screen sits on the process that does not emit: city's events reach it through Redis.
    screen_city = listeners(city_b.url, {"device_key": keys["display-city"]}).connect()
    screen_d1 = listeners(d1.url, {"device_key": keys["display-d1"]}).connect()
    acks = {"city": screen_city.subscribe(ROOMS), "d1": screen_d1.subscribe(ROOMS)}
    assert acks["city"]["rooms"] == acks["d1"]["rooms"] == ROOMS  # the protocol's names, unchanged

    staff_city = api_city.login("w-city", PASSWORD)
    staff_d1 = api_d1.login("w-d1", PASSWORD)
    api_city_b.open("1", staff_city)
    api_d1.open(D1_WINDOW, staff_d1)
    # A process joined through Redis listens only once its first client is in: the opening's
    # event on city's screen shows the relay is up.
    opened = api_city.hall(staff_city)["seq"]
    assert screen_city.wait_seq(opened), "city's events never reached its screen on the other process"

    # Interleaved: each hall issues and calls its own A001.
    t_city = api_city.take_ok(keys["kiosk-city"], queue="A")
    t_d1 = api_d1.take_ok(keys["kiosk-d1"], queue="A")
    assert t_city["number"] == t_d1["number"] == "A001"  # the same keys in both halls
    called_city = api_city_b.call_next("1", staff_city)
    called_d1 = api_d1.call_next(D1_WINDOW, staff_d1)
    assert called_city and called_city["id"] == t_city["id"]
    assert called_d1 and called_d1["id"] == t_d1["id"]

    for screen, own in ((screen_city, t_city), (screen_d1, t_d1)):
        assert screen.wait_until(lambda evs, own=own: any(
            n == "ticket.called" and d["ticket"]["id"] == own["id"] for n, d in evs)), screen.snapshot()
    threading.Event().wait(1.0)  # time for a stray event of the other hall to arrive
    assert ticket_ids(screen_city, "ticket.issued") == ticket_ids(screen_city, "ticket.called") == {t_city["id"]}
    assert ticket_ids(screen_d1, "ticket.issued") == ticket_ids(screen_d1, "ticket.called") == {t_d1["id"]}

    # Each screen got exactly its hall's logged events for its rooms, in its hall's seq order.
    for hall, screen, server in (("city", screen_city, city_a), ("d1", screen_d1, d1)):
        expected = logged(server, hall, ROOMS, acks[hall]["seq"])
        got = [(d["seq"], n) for n, d in screen.snapshot() if isinstance(d, dict) and "seq" in d]
        assert got == expected, f"{hall}: {got} != {expected}"
        # `prev` is keyed by the protocol's room names, never the hall's inside ones.
        prevs = [set(d["prev"]) for _, d in screen.snapshot() if isinstance(d, dict) and "prev" in d]
        assert prevs and all(set(ROOMS) & named for named in prevs)
        assert not [r for named in prevs for r in named if r.startswith(("city/", "d1/"))]

    # Each hall's seq counts from its own 1, without a hole: two halls' seqs overlap.
    per_hall = {h: (lo, hi, n) for h, lo, hi, n in db_rows(
        city_a, "SELECT hall, min(seq), max(seq), count(*) FROM event_log GROUP BY hall")}
    assert set(per_hall) == {"city", "d1"}
    for hall, (lo, hi, n) in per_hall.items():
        assert (lo, hi) == (1, n), f"{hall}: seqs {lo}..{hi} in {n} changes"
    issued_seq = {hall: next(d["seq"] for n, d in screen.snapshot() if n == "ticket.issued")
                  for hall, screen in (("city", screen_city), ("d1", screen_d1))}
    # The same seq names a change in each hall. (Which hall logged more changes before its issue
    # depends on the servers' own rounds, so only one of the two issues need fall in the other's range.)
    assert issued_seq["city"] <= per_hall["d1"][1] or issued_seq["d1"] <= per_hall["city"][1]

    # A resync of city (a new emitter that cannot replay what the last one left: its mark is
    # off the log) reaches city's screen and not d1's.
    city_seq = per_hall["city"][1]
    assert wait_for(lambda: db_rows(
        city_a, "SELECT value FROM counters WHERE hall = 'city' AND name = 'emitted'") == [(city_seq,)]), \
        "city's emitter never marked its last event"
    set_mark(pg_url, "city", city_seq + 1_000_000)
    city_a.kill()
    assert screen_city.wait_until(lambda evs: any(n == "resync" for n, _ in evs)), screen_city.snapshot()
    assert [d for n, d in screen_city.snapshot() if n == "resync"] == [{"reason": "emitter"}]
    threading.Event().wait(1.0)
    assert not [n for n, _ in screen_d1.snapshot() if n == "resync"]
    assert "now emits" in city_b.log_text()
