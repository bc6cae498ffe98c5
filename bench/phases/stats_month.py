"""Phase 7: the statistics of a month of a large hall (issue #12: 100,000 tickets answer in under
2 s on SQLite and PostgreSQL).

A month of the demo hall (its 34 windows and queues, the working days of December 2026) is
generated straight into a fresh database by bulk inserts: tickets with their calls and service
segments (finished, no-shows, transfers and suspensions served again elsewhere, forced finishes),
each window's open and paused periods, cases with their history, ratings. Then the handler behind
`GET /api/v1/stats` (stats_ops.stats, the same SQL, labels and totals) is timed for each `by`, for a
manager (the hall) and a chief (one department). `python -m bench.phases.stats_month` runs it alone.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from bench.plan import log
from server.app.context import Services
from server.app.workcal import hall_calendar
from server.core.cases import case_number
from server.core.hall import Hall
from server.core.windows import Role, Staff
from server.db.tables import (
    case_history,
    cases,
    ratings,
    service_segments,
    ticket_calls,
    tickets,
    window_periods,
)

FIRST = date(2026, 12, 1)
LAST = date(2026, 12, 31)
BEIJING = 8 * 3600
RUNS = 3


def _local(day: date, seconds: float) -> datetime:
    """`seconds` after local midnight of `day`, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds - BEIJING)


def generate(hall: Hall, total: int, seed: int = 12) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table for `total` tickets over the working days of FIRST..LAST."""
    rng = random.Random(seed)
    cal = hall_calendar(hall)
    days = [FIRST + timedelta(d) for d in range((LAST - FIRST).days + 1)]
    days = [d for d in days if cal.is_workday(d)]
    windows = [w for w in hall.windows if w.queues and not w.reserve]
    serving = {q.code: [w for w in windows if w.serves(q.code)] for q in hall.queues}
    queues = [q for q in hall.queues if serving[q.code]]
    items = {q.code: [i.code for i in hall.items if i.queue == q.code] or [None] for q in queues}
    staff_of = {w.id: i + 1 for i, w in enumerate(windows)}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("tickets", "calls", "segments", "periods", "cases",
                                                            "history", "ratings")}
    per_day = total // len(days)
    n = 0
    for day in days:
        for w in windows:
            marks = [9 * 3600, 12 * 3600, 13.5 * 3600, 15 * 3600 + rng.randint(0, 3600), 17 * 3600]
            states = [("open", ""), ("paused", "午休"), ("open", ""), ("paused", "临时离开")]
            for (state, reason), a, b in zip(states, marks, marks[1:], strict=False):
                end = b if state != "paused" or reason == "午休" else a + rng.randint(300, 1200)
                out["periods"].append({"window": w.id, "staff_id": staff_of[w.id], "state": state, "reason": reason,
                                       "day": day, "started_at": _local(day, a), "ended_at": _local(day, end)})
        for k in range(per_day if day != days[-1] else total - n):
            n += 1
            q = rng.choice(queues)
            issued = _local(day, 9 * 3600 + rng.uniform(0, 7.5 * 3600))
            tid = secrets.token_urlsafe(16)
            item = rng.choice(items[q.code])
            at = issued + timedelta(seconds=rng.expovariate(1 / 900))
            queue, r = q.code, rng.random()
            endings = (["transferred", "finished"] if r < 0.04 else ["suspended", "finished"] if r < 0.06
                       else ["no_show"] if r < 0.11 else ["forced"] if r < 0.13 else ["finished"])
            for attempt, ending in enumerate(endings, start=1):
                w = rng.choice(serving[queue])
                started = at + timedelta(seconds=rng.randint(5, 60))
                ended = started + timedelta(seconds=rng.expovariate(1 / 420))
                out["calls"].append({"ticket_id": tid, "attempt": attempt, "window": w.id, "queue": queue,
                                     "staff_id": staff_of[w.id], "called_at": at})
                out["segments"].append({
                    "ticket_id": tid, "day": day, "queue": queue, "item": item, "department": q.department,
                    "window": w.id, "staff_id": staff_of[w.id], "called_at": at,
                    "started_at": None if ending == "no_show" else started, "ended_at": ended, "ending": ending,
                    "wait_s": (at - issued).total_seconds() if attempt == 1 else None,
                    "service_s": (ended - started).total_seconds() if ending == "finished" else None})
                at = ended + timedelta(seconds=rng.expovariate(1 / 600))
            status = "no_show" if endings[-1] == "no_show" else "done"
            out["tickets"].append({
                "id": tid, "number": f"{q.prefix}{k:05d}", "queue": queue, "item": item, "day": day, "seq_no": k,
                "priority": "normal", "class_rank": 1, "status": status, "window": w.id, "issued_at": issued,
                "rank_at": issued, "called_at": out["segments"][-1]["called_at"], "started_at": started,
                "finished_at": ended})
            if status == "done" and rng.random() < 0.3 and item is not None:
                _case(out, rng, hall.code, tid, item, q.department, w.id, staff_of[w.id], day, ended)
            if status == "done" and rng.random() < 0.5:
                out["ratings"].append({
                    "ticket_id": tid, "day": day, "at": ended, "level": rng.choice([5, 5, 5, 4, 4, 3, 2, 1]),
                    "tags": [], "channel": "pad", "department": q.department, "item": item, "queue": queue,
                    "window": w.id, "staff_id": staff_of[w.id], "excluded_at": None})
    return out


def _case(out: dict[str, list[dict[str, Any]]], rng: random.Random, hall: str, tid: str, item: str, dept: str,
          window: str, staff: int, day: date, at: datetime) -> None:
    number = case_number(hall, dept, 2026, len(out["cases"]) + 1)
    outcome = rng.choice(["accepted", "accepted", "notice", "refused", "concluded"])
    status = {"accepted": "accepted", "notice": "noticed", "refused": "refused", "concluded": "concluded"}[outcome]
    promised = day + timedelta(days=3) if outcome == "accepted" else day if outcome == "concluded" else None
    out["history"].append({"case_number": number, "at": at, "status": status, "previous": None, "actor": "bench"})
    if outcome == "accepted" and rng.random() < 0.9:
        decided = at + timedelta(hours=rng.choice([20, 40, 70, 100]))
        out["history"].append({"case_number": number, "at": decided, "status": "decided_approved",
                               "previous": "in_review", "actor": "bench"})
        status = "decided_approved"
    out["cases"].append({
        "number": number, "token": secrets.token_urlsafe(24), "item": item, "department": dept,
        "copied_departments": [], "applicant_name": "张三", "applicant_id_number": "110105194912310021",
        "applicant_phone": "13800138000", "materials": [], "missing": [], "outcome": outcome, "status": status,
        "accepted_on": day, "promised": promised, "ticket_id": tid, "window": window, "opened_by": staff,
        "created_at": at, "updated_at": at})


TABLES = (("tickets", tickets), ("calls", ticket_calls), ("segments", service_segments),
          ("periods", window_periods), ("cases", cases), ("history", case_history), ("ratings", ratings))


def load(engine: Engine, hall: str, rows: dict[str, list[dict[str, Any]]], chunk: int = 5000) -> float:
    began = time.monotonic()
    with engine.begin() as conn:
        for name, table in TABLES:
            for i in range(0, len(rows[name]), chunk):
                conn.execute(insert(table), [{**row, "hall": hall} for row in rows[name][i:i + chunk]])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # what autovacuum does after a bulk load
    return time.monotonic() - began


def time_stats(svc: Services, staff: Staff) -> dict[str, dict[str, float]]:
    from server.app import stats_ops

    out: dict[str, dict[str, float]] = {}
    for by in stats_ops.BY:
        laps, cpu = [], []
        for _ in range(RUNS):
            t0, c0 = time.perf_counter(), time.process_time()
            answer = stats_ops.stats(svc, staff, FIRST, LAST, by)
            laps.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        # On SQLite the queries run in this process: its CPU time is their cost, whatever else the
        # machine is doing (the wall time is not, on a shared machine).
        out[by] = {"best_s": round(min(laps), 3), "median_s": round(statistics.median(laps), 3),
                   "cpu_s": round(statistics.median(cpu), 3), "rows": len(answer["rows"]),
                   "issued": answer["totals"]["issued"]}
    return out


def stats_month(engines: dict[str, Engine], hall: Hall, total: int = 100_000) -> dict[str, Any]:
    """Per database: seconds to load, then per `by` the best and median of RUNS answers."""
    log(f"stats: generating a month of {total} tickets")
    rows = generate(hall, total)
    res: dict[str, Any] = {"tickets": len(rows["tickets"]), "segments": len(rows["segments"]),
                           "cases": len(rows["cases"]), "ratings": len(rows["ratings"]),
                           "periods": len(rows["periods"])}
    manager = Staff(1, "bench-manager", Role.MANAGER)
    chief = Staff(2, "bench-chief", Role.CHIEF, department=hall.queues[0].department)
    for name, engine in engines.items():
        log(f"stats: loading into {name}")
        loaded = load(engine, hall.code, rows)
        svc = Services(hall=hall, engine=engine, clock=lambda: datetime(2027, 1, 4, 2, 0, tzinfo=UTC))
        log(f"stats: timing {name}")
        res[name] = {"load_s": round(loaded, 1), "manager": time_stats(svc, manager), "chief": time_stats(svc, chief)}
    return res


def report_lines(res: dict[str, Any]) -> list[str]:
    from bench.stats import table

    if "stats" not in res:
        return []
    s = res["stats"]
    dbs = [d for d in ("sqlite", "postgresql") if d in s]
    rows = []
    for who in ("manager", "chief"):
        for by in s[dbs[0]][who]:
            rows.append([who, by, str(s[dbs[0]][who][by]["rows"]),
                         *[f"{s[d][who][by]['median_s']:.3f} s" for d in dbs],
                         f"{s['sqlite'][who][by]['cpu_s']:.3f} s" if "sqlite" in s else "-"])
    worst = max(s[d][w][b]["median_s"] for d in dbs for w in ("manager", "chief") for b in s[d][w])
    return ["", f"Statistics of a month ({s['tickets']:,} tickets, {s['segments']:,} segments, {s['cases']:,} cases, "
            f"{s['ratings']:,} ratings): median of {RUNS} answers of stats_ops.stats (GET /api/v1/stats), "
            f"target under 2 s; slowest {worst:.3f} s ({'met' if worst < 2 else 'MISSED'})",
            table(["who", "by", "rows", *[f"{d} (wall)" for d in dbs], "sqlite (CPU)"], rows)]


def run(work: Path, pg_base: str, total: int = 100_000) -> dict[str, Any]:
    """The phase in a fresh SQLite file under `work` and a fresh PostgreSQL database, dropped after."""
    from bench.servers import pg_admin
    from server.db.engine import make_engine
    from server.db.migrate import upgrade
    from server.hallconfig import DEFAULT_CONFIG, load_hall

    dbname = f"hallq_bench_stats_{os.getpid()}_{int(time.time())}"
    pg_admin(pg_base, f'CREATE DATABASE "{dbname}"')
    engines = {"sqlite": make_engine(f"sqlite:///{work / 'stats-month.db'}"),
               "postgresql": make_engine(f"{pg_base}/{dbname}")}
    try:
        for e in engines.values():
            upgrade(e)
        return stats_month(engines, load_hall(DEFAULT_CONFIG), total)
    finally:
        for e in engines.values():
            e.dispose()
        pg_admin(pg_base, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def main() -> None:
    import json
    import tempfile

    pg = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    with tempfile.TemporaryDirectory(prefix="hallq-stats-") as work:
        res = {"stats": run(Path(work), pg, int(os.environ.get("BENCH_STATS_TICKETS", "100000")))}
    print("\n".join(report_lines(res)))
    print(json.dumps(res, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
