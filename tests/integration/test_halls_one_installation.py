"""Issue 16, point 5 with one process per machine serving every hall: two `hallq serve --all-halls`
processes on one PostgreSQL and Redis, the municipal center and the east district calling at
once through both. No ticket goes to two windows, each hall's screens get exactly their own
hall's calls (whichever process they sit on and however they name their hall: the key's own
hall, `/h/east/socket.io`, `?hall=west`), each hall's `seq` runs from 1 without a hole, and every
hall has an emitter."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from server.hallconfig import DEFAULT_CONFIG
from tests.support.pg_locks import OWN_ADVISORY_LOCKS
from tests.support.server_process import ServerProcess

from .conftest import PASSWORD, Api, db_rows

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

HALLS = ("city", "east")
CONFIG = {"city": DEFAULT_CONFIG, "east": DEFAULT_CONFIG.parent / "halls" / "east.toml",
          "west": DEFAULT_CONFIG.parent / "halls" / "west.toml"}
WINDOWS = ("1", "2")  # both halls' windows 1 and 2 serve queue A
TICKETS = 8  # per hall


def add_device(server: ServerProcess, hall: str, name: str, kind: str) -> str:
    out = server.cli("device", "add", name, "--kind", kind, "--config", str(CONFIG[hall]))
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def add_clerk(server: ServerProcess, hall: str, name: str) -> None:
    out = server.cli("user", "add", name, "--role", "window", "--config", str(CONFIG[hall]), stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr


def test_two_processes_of_every_hall_keep_the_halls_apart(start_server, listeners, pg_url, redis_url):
    keys: dict[str, str] = {}

    def prepare(server: ServerProcess) -> None:
        for hall in ("city", "east", "west"):
            keys[f"kiosk-{hall}"] = add_device(server, hall, f"kiosk-{hall}", "kiosk")
            keys[f"display-{hall}"] = add_device(server, hall, f"display-{hall}", "display")
        for hall in HALLS:
            for w in WINDOWS:
                add_clerk(server, hall, f"w{w}-{hall}")

    common: dict[str, Any] = {"seed": False, "db_url": pg_url, "message_queue": redis_url,
                              "extra_args": ["--all-halls"]}
    a = start_server("a", prepare=prepare, **common)
    b = start_server("b", **common)
    apis = {"a": Api(a), "b": Api(b)}

    # Screens on both processes, each hall named its own way.
    screens = {
        "city": listeners(b.url, {"device_key": keys["display-city"]}).connect(),
        "east": listeners(a.url, {"device_key": keys["display-east"]}, path="h/east/socket.io").connect(),
        "west": listeners(b.url + "?hall=west", {"device_key": keys["display-west"]}).connect(),
    }
    acks = {hall: screen.subscribe(["hall"]) for hall, screen in screens.items()}
    assert all(ack["rooms"] == ["hall"] for ack in acks.values()), acks

    # Each hall's clerks sign in at their hall's address (through either process); from then on
    # their token leads the protocol's addresses to their hall. They open windows 1 and 2.
    staff = {}
    for i, hall in enumerate(HALLS):
        for w in WINDOWS:
            server = (a, b)[(i + int(w)) % 2]
            staff[(hall, w)] = Api(server, base_url=f"{server.url}/h/{hall}").login(f"w{w}-{hall}", PASSWORD)
            Api(server).open(w, staff[(hall, w)])
    issued = {hall: [apis["ab"[n % 2]].take_ok(keys[f"kiosk-{hall}"], queue="A")["id"] for n in range(TICKETS)]
              for hall in HALLS}
    assert [t for ts in issued.values() for t in ts] and len({*issued["city"], *issued["east"]}) == 2 * TICKETS

    # Four windows of two halls call at once, each alternating between the processes.
    called: dict[str, list[str]] = {hall: [] for hall in HALLS}
    lock = threading.Lock()

    def window(hall: str, w: str) -> None:
        n = 0
        while (t := apis["ab"[n % 2]].call_next(w, staff[(hall, w)])) is not None:
            with lock:
                called[hall].append(t["id"])
            n += 1
            assert apis["ab"[n % 2]].act(w, "finish", staff[(hall, w)]).status_code == 200

    threads = [threading.Thread(target=window, args=(hall, w)) for hall in HALLS for w in WINDOWS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for hall in HALLS:
        assert Counter(called[hall]) == Counter(issued[hall]), f"{hall}: every ticket called once, by one window"
    rows = db_rows(a, "SELECT hall, ticket_id, count(*) FROM ticket_calls GROUP BY hall, ticket_id")
    assert all(n == 1 for _, _, n in rows) and len(rows) == 2 * TICKETS

    # Each screen got exactly its hall's calls, whichever process made them.
    for hall in HALLS:
        screen = screens[hall]
        assert screen.wait_until(lambda evs, hall=hall: {d["ticket"]["id"] for n, d in evs if n == "ticket.called"}
                                 == set(issued[hall]), timeout=60), hall
    threading.Event().wait(1.0)  # time for a stray event of another hall to arrive
    for hall, screen in screens.items():
        seen = {d["ticket"]["id"] for n, d in screen.snapshot() if n in ("ticket.called", "ticket.issued")}
        assert seen == set(issued.get(hall, [])), f"{hall}'s screen saw another hall's tickets"

    # Each hall's seq from 1, without a hole; every hall has one emitter.
    for hall, lo, hi, n in db_rows(a, "SELECT hall, min(seq), max(seq), count(*) FROM event_log GROUP BY hall"):
        assert (lo, hi) == (1, n), f"{hall}: seqs {lo}..{hi} in {n} changes"
    locks = db_rows(a, f"SELECT count(*) {OWN_ADVISORY_LOCKS}")
    assert locks == [(3,)], "city, east and west each have one emitting process"
