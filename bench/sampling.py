"""A background sampler of a PostgreSQL database's backends, for the phases that report what
the database did under their load (its CPU, its wait states)."""

from __future__ import annotations

import threading
import time
from typing import Any, Self

from bench.cpu import proc_cpu_s


class Sampler:
    """Calls `sample(conn)` every `interval_s` on its own connection, from entering until leaving
    (at most `limit_s`), in a thread of its own."""

    interval_s = 0.5
    limit_s = 600.0

    def __init__(self, db_url: str) -> None:
        self.db_url, self.dbname = db_url, db_url.rsplit("/", 1)[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self, conn: Any) -> None:
        raise NotImplementedError

    def first(self, conn: Any) -> None:
        """Before the first sample (a baseline)."""

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            self.first(conn)
            deadline = time.monotonic() + self.limit_s
            while time.monotonic() < deadline:
                self.sample(conn)
                if self._stop.wait(self.interval_s):
                    return


class PgCpu(Sampler):
    """CPU of the database's backends (not the machine's other databases): each backend's CPU is
    sampled every half second, so connections the pool opens and closes during the load count."""

    def __init__(self, db_url: str) -> None:
        super().__init__(db_url)
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _pids(self, conn: Any) -> list[int]:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                           "AND pid <> pg_backend_pid()", (self.dbname,))]

    def first(self, conn: Any) -> None:
        self.start = {p: proc_cpu_s(p) for p in self._pids(conn)}

    def sample(self, conn: Any) -> None:
        for p in self._pids(conn):
            self.last[p] = max(self.last.get(p, 0.0), proc_cpu_s(p))

    @property
    def seconds(self) -> float:
        return sum(max(0.0, cpu - self.start.get(p, 0.0)) for p, cpu in self.last.items())


def transactions(conn: Any) -> int:
    """Transactions the connection's database has ended so far, committed or rolled back: each is
    at least one round trip to it."""
    row = conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                       "WHERE datname = current_database()").fetchone()
    return int(row[0]) if row else 0
