"""Phase 8: round trips to the database per change (issue 16, point 2: at most 4 each on PostgreSQL
for issue, call-next and finish; the bare app's insert is 3: BEGIN, INSERT, COMMIT).

In-process, on the demo hall with one window open and a short line: every statement the server
sends for one issue, one call-next and one finish is listed, with BEGIN and COMMIT, on SQLite and
on a fresh PostgreSQL database, and each one that waits for its answer is counted. On PostgreSQL a
write transaction is pipelined (server/db/pipeline.py): BEGIN and the writes whose answers nobody
reads go out with the next statement that waits, so they are listed but make no round trip; the
reads of a change's views go out together in one (server/db/batch.py); and the event log's entry
goes with the COMMIT. The count does not depend on the machine: it is the figure the rate of a
busy PostgreSQL installation follows (docs/performance.md). `python -m bench.phases.round_trips`
runs it alone and lists the statements.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

TARGET = 4
CHANGES = ("issue", "call_next", "finish")
LINE = 5  # tickets waiting before the measured changes


# What goes out with the next statement that waits for its answer (PostgreSQL's pipeline mode,
# server/db/pipeline.py): listed, not counted.
RIDES_ALONG = "  (sent with the next)"


def count(engine: Engine, fn: Callable[[], object]) -> list[str]:
    """What `fn` sends to the database: BEGIN, each statement's first words, COMMIT; the ones that
    wait for no answer of their own marked RIDES_ALONG."""
    from server.db import batch
    sent: list[str] = []
    pipelined = engine.dialect.name == "postgresql"  # every write transaction there (uow.py)

    def statement(_conn: Any, _cur: Any, stmt: str, _params: Any, context: Any, _many: bool) -> None:
        queued = pipelined and context.execution_options.get("hallq_queued")
        sent.append(" ".join(stmt.split()[:4]) + (RIDES_ALONG if queued else ""))

    def begin(_conn: Any) -> None:
        sent.append("BEGIN" + (RIDES_ALONG if pipelined else ""))

    def commit(_conn: Any) -> None:
        # Pipelined, a change's event log entry (its next `seq`) is sent with its COMMIT, past
        # SQLAlchemy's events (server/db/uow.py).
        sent.append("COMMIT, with the event log's entry and its seq" if pipelined else "COMMIT")

    def together(first_words: list[str]) -> None:
        # Reads sent past SQLAlchemy in one round trip (server/db/batch.py).
        sent.append("reads sent together: " + "; ".join(first_words))

    hooks = (("before_cursor_execute", statement), ("begin", begin), ("commit", commit))
    for name, fn_ in hooks:
        event.listen(engine, name, fn_)
    batch.watchers.append(together)
    try:
        fn()
    finally:
        batch.watchers.remove(together)
        for name, fn_ in hooks:
            event.remove(engine, name, fn_)
    return sent


def trips(sent: list[str]) -> int:
    """Round trips: what waits for its answer."""
    return sum(1 for s in sent if not s.endswith(RIDES_ALONG))


def measure(engine: Engine) -> dict[str, list[str]]:
    from server.app import accounts, issuing, window_ops
    from server.app.context import Services
    from server.db.accounts_repo import to_staff, user_row
    from server.db.migrate import upgrade
    from server.db.uow import SYSTEM
    from server.hallconfig import DEFAULT_CONFIG, load_hall

    upgrade(engine)
    hall = load_hall(DEFAULT_CONFIG)
    svc = Services(hall=hall, engine=engine, clock=lambda: datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    accounts.add_user(svc, "bench-clerk", "bench-password-1", "window", "SCJG")
    with svc.read() as uow:
        clerk = to_staff(user_row(uow.conn, "bench-clerk"))
    window_ops.open_window(svc, clerk, "1")
    request = issuing.TicketRequest(item="SCJG-001")
    for _ in range(LINE):
        issuing.issue_ticket(svc, SYSTEM, request)
    # Once each before measuring, so that what is built on first use (statements, caches) is not counted.
    window_ops.call_next(svc, clerk, "1")
    window_ops.finish(svc, clerk, "1")
    return {
        "issue": count(engine, lambda: issuing.issue_ticket(svc, SYSTEM, request)),
        "call_next": count(engine, lambda: window_ops.call_next(svc, clerk, "1")),
        "finish": count(engine, lambda: window_ops.finish(svc, clerk, "1")),
    }


def run(work: Path, pg_base: str) -> dict[str, Any]:
    from bench.servers import pg_admin
    from server.db.engine import make_engine

    dbname = f"hallq_bench_trips_{os.getpid()}_{int(time.time())}"
    pg_admin(pg_base, f'CREATE DATABASE "{dbname}"')
    engines = {"sqlite": make_engine(f"sqlite:///{work / 'round-trips.db'}"),
               "postgresql": make_engine(f"{pg_base}/{dbname}")}
    try:
        return {name: measure(e) for name, e in engines.items()}
    finally:
        for e in engines.values():
            e.dispose()
        pg_admin(pg_base, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def report_lines(res: dict[str, Any]) -> list[str]:
    from bench.stats import table

    if "round_trips" not in res:
        return []
    r = res["round_trips"]
    rows = [[change.replace("_", "-"), *[str(trips(r[db][change])) for db in ("sqlite", "postgresql")]]
            for change in CHANGES]
    worst = max(trips(r["postgresql"][c]) for c in CHANGES)
    return ["", f"Round trips per change, BEGIN and COMMIT included (issue 16: at most {TARGET} on PostgreSQL; "
                f"the bare app: 3): worst {worst} ({'met' if worst <= TARGET else 'MISSED'})",
            table(["change", "sqlite", "postgresql"], rows)]


def main() -> None:
    import tempfile

    pg = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    with tempfile.TemporaryDirectory(prefix="hallq-trips-") as work:
        res = {"round_trips": run(Path(work), pg)}
    print("\n".join(report_lines(res)))
    for change in CHANGES:
        print(f"\n{change} on PostgreSQL:")
        for sent in res["round_trips"]["postgresql"][change]:
            print(f"  {sent}")


if __name__ == "__main__":
    main()
