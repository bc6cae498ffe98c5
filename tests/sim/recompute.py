"""The accuracy figures of a simulated day recomputed from its raw event log, by code that shares
nothing with server/sim: the standard library's sqlite3 reads `event_log` (what the hall committed
and would have published, in seq order) and every figure is derived here again.

At issue, for each ticket: HallQ's estimate and range (its `ticket.issued` view); the queue-length
estimate (its `ahead` times the `s_per_ticket` of its queue's `queue.updated` in the same change);
HOL (how long the longest-waiting other ticket of its queue's line had waited); LES (the wait in
the line of the queue's latest ticket called from it, or the queue-length estimate before any).
Its real wait: from issue to its first call.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _figures(pairs: list[tuple[float, float]]) -> dict[str, Any]:
    errors = [estimate - real for estimate, real in pairs]
    return {
        "n": len(pairs),
        "median_abs_error_s": statistics.median(abs(e) for e in errors),
        "within_20pct": sum(abs(e) <= 0.2 * real for e, (_, real) in zip(errors, pairs, strict=True)) / len(pairs),
        "within_5min": sum(abs(e) <= 300 for e in errors) / len(pairs),
        "bias_s": sum(errors) / len(errors),
    }


def recompute(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT at, events FROM event_log ORDER BY seq").fetchall()
    line: dict[str, dict[str, float]] = {}  # queue -> ticket id -> when it joined the line
    where: dict[str, str] = {}  # ticket id -> queue
    last_wait: dict[str, float] = {}
    issued: dict[str, dict[str, Any]] = {}
    called: dict[str, float] = {}
    for at_text, events_json in rows:
        at = _seconds(at_text)
        events = json.loads(events_json)
        paces = {e["data"]["queue"]["code"]: e["data"]["queue"] for e in events if e["event"] == "queue.updated"}
        for e in events:
            if e["event"] not in ("ticket.issued", "ticket.updated", "ticket.called"):
                continue
            t = e["data"]["ticket"]
            tid, queue = t["id"], t["queue"]
            previous = where.get(tid)
            joined = line.get(previous, {}).pop(tid, None) if previous else None
            where[tid] = queue
            in_line = t["status"] == "waiting" and t["target_window"] is None
            if e["event"] == "ticket.issued":
                others = list(line.get(queue, {}).values())
                pace = paces[queue]["s_per_ticket"]
                ql = None if pace is None or t["unserved"] else t["ahead"] * pace
                issued[tid] = {
                    "at": at, "hallq": t["estimated_wait_s"], "range": t["estimated_wait_range_s"], "ql": ql,
                    "hol": round(at - min(others)) if others else 0,
                    "les": round(last_wait[queue]) if queue in last_wait else ql,
                }
            if in_line:
                line.setdefault(queue, {})[tid] = joined if joined is not None and previous == queue else at
            elif e["event"] == "ticket.called" and not e["data"].get("recall"):
                called.setdefault(tid, at)
                if joined is not None:
                    last_wait[queue] = at - joined
    scored = [
        (x, called[tid] - x["at"]) for tid, x in issued.items()
        if tid in called and None not in (x["hallq"], x["range"], x["ql"], x["les"])
    ]
    predictors = {
        name: _figures([(float(x[key]), real) for x, real in scored])
        for name, key in (("hallq", "hallq"), ("queue_length", "ql"), ("hol", "hol"), ("les", "les"))
    }
    coverage = sum(x["range"][0] <= real <= x["range"][1] for x, real in scored) / len(scored)
    return {"tickets": len(issued), "predictors": predictors, "range_coverage": coverage}
