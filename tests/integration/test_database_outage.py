"""Two processes on PostgreSQL while the database goes away for a while (a restart, a failover).
What a hall needs: requests made meanwhile fail clearly, and with nothing half done, and once the
database answers again both processes serve, the windows call, and every screen is whole again
without anyone restarting a process or reloading a screen."""

from __future__ import annotations

import time
from collections import Counter

import psycopg
import pytest

from tests.support.services import PG_ADMIN

from .screens import Display, open_on_both, two_processes, wait_whole

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

OUTAGE_S = 10
WHOLE_WITHIN_S = 10


def database(url: str, *, allowed: bool) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:  # every session of the database ends, as in a restart
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def test_a_database_outage_fails_requests_clearly_and_everything_comes_back(start_server, pg_url, redis_url):
    windows = ["1", "2", "3", "4"]
    names = [f"w{w}" for w in windows]
    a, b, keys = two_processes(start_server, pg_url, redis_url, names)
    api_a, api_b, staff, queues = open_on_both(a, b, windows, names)
    displays = [Display(s.url, keys["display"]).connect() for s in (a, b)]
    manager = staff["1"][1]
    statuses: Counter[tuple] = Counter()
    try:
        ok, wrong = wait_whole(displays, api_a, manager, 30)
        assert ok, f"displays never whole before the outage: {wrong}"
        for i in range(4):
            (api_a, api_b)[i % 2].take_ok(keys["kiosk"], queue=queues[i % len(queues)])
        database(pg_url, allowed=False)
        down_at = time.monotonic()
        while time.monotonic() - down_at < OUTAGE_S:
            for i, api in enumerate((api_a, api_b)):
                w = windows[i * 2]
                wapi, headers = staff[w]
                for r in (api.take(keys["kiosk"], queue=queues[i % len(queues)]),
                          wapi.request("POST", f"/windows/{w}/call-next", headers=headers)):
                    error = r.json().get("error", {}) if r.content else {}
                    statuses[(r.status_code, error.get("code"), r.headers.get("Retry-After"))] += 1
            time.sleep(0.5)
        # Said for what it is: the database, for now; not a bug (500), and when to try again.
        assert set(statuses) == {(503, "database_unavailable", "2")}, statuses
        database(pg_url, allowed=True)
        back_at = time.monotonic()
        # Both processes serve again: the first requests may meet a pooled connection the restart
        # dropped, and fail once.
        served = {}
        for api in (api_a, api_b):
            while time.monotonic() - back_at < WHOLE_WITHIN_S:
                r = api.take(keys["kiosk"], queue=queues[0])
                if r.status_code == 201:
                    served[api.url] = time.monotonic() - back_at
                    break
                time.sleep(0.2)
        assert len(served) == 2, f"a process did not serve again within {WHOLE_WITHIN_S} s"
        for w in windows:
            wapi, headers = staff[w]
            while wapi.call_next(w, headers) is not None:
                assert wapi.act(w, "finish", headers).status_code == 200
        ok, wrong = wait_whole(displays, api_a, manager, WHOLE_WITHIN_S)
        assert ok, f"{len(wrong)} display(s) still wrong {WHOLE_WITHIN_S} s after the database came back: {wrong}"
    finally:
        database(pg_url, allowed=True)
        for d in displays:
            d.close()
