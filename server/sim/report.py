"""The accuracy report of a simulated day (issue 13): each predictor against the real waits.

At issue, every ticket that was called and got a figure from every predictor counts once
(HallQ's range too); every later change of a waiting ticket's figure counts once more in
`updates`, against the rest of its wait. Errors are estimate − real wait (a positive bias: the
hall promised longer than it took).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from .observe import Observer, Record

PREDICTORS = ("hallq", "queue_length", "hol", "les")
FIVE_MINUTES = 300.0


def figures(pairs: Sequence[tuple[float, float]], ranges: Sequence[tuple[float, float, float]] = ()) -> dict[str, Any]:
    """`pairs`: (estimate, real) in seconds; `ranges`: (low, high, real)."""
    if not pairs:
        return {"n": 0, "median_abs_error_s": None, "within_20pct": None, "within_5min": None, "bias_s": None}
    errors = [e - r for e, r in pairs]
    out: dict[str, Any] = {
        "n": len(pairs),
        "median_abs_error_s": round(statistics.median(abs(x) for x in errors), 1),
        "mean_abs_error_s": round(statistics.fmean(abs(x) for x in errors), 1),
        "within_20pct": round(sum(abs(e - r) <= 0.2 * r for e, r in pairs) / len(pairs), 4),
        "within_5min": round(sum(abs(x) <= FIVE_MINUTES for x in errors) / len(pairs), 4),
        "bias_s": round(statistics.fmean(errors), 1),
    }
    if ranges:
        out["range_coverage"] = round(sum(lo <= r <= hi for lo, hi, r in ranges) / len(ranges), 4)
        out["range_median_width_s"] = round(statistics.median(hi - lo for lo, hi, _ in ranges), 1)
    return out


def scored(records: Iterable[Record]) -> list[Record]:
    """Tickets that were called and had a figure from every predictor at issue."""
    return [r for r in records if r.wait_s is not None and r.hallq is not None and r.queue_length is not None
            and r.hol is not None and r.les is not None and r.low is not None and r.high is not None]


def at_issue(records: Sequence[Record]) -> dict[str, dict[str, Any]]:
    out = {}
    for name in PREDICTORS:
        pairs = [(float(getattr(r, name)), float(r.wait_s or 0.0)) for r in records]
        ranges = [(float(r.low or 0), float(r.high or 0), float(r.wait_s or 0.0)) for r in records]
        out[name] = figures(pairs, ranges if name == "hallq" else ())
    return out


def margins(predictors: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """By how much HallQ's median absolute error is below each baseline's."""
    ours = predictors["hallq"]["median_abs_error_s"]
    out: dict[str, Any] = {}
    for name in PREDICTORS[1:]:
        theirs = predictors[name]["median_abs_error_s"]
        if ours is None or theirs is None:
            out[name] = None
            continue
        out[name] = {
            "less_by_s": round(theirs - ours, 1),
            "less_by_pct": round(100.0 * (theirs - ours) / theirs, 1) if theirs else None,
            "beaten": ours < theirs,
        }
    return out


def later(obs: Observer) -> dict[str, Any]:
    """The figures shown after issue, against the rest of the wait."""
    hallq, ql, ranges = [], [], []
    for u in obs.updates:
        rec = obs.records.get(u.ticket)
        if rec is None or rec.called_s is None or u.hallq is None or u.queue_length is None:
            continue
        rest = rec.called_s - u.at_s
        hallq.append((float(u.hallq), rest))
        ql.append((float(u.queue_length), rest))
        ranges.append((float(u.low or 0), float(u.high or 0), rest))
    return {"hallq": figures(hallq, ranges), "queue_length": figures(ql)}


def grouped(records: Sequence[Record], key: str) -> dict[str, Any]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        groups[f"{getattr(r, key):02d}" if key == "hour" else str(getattr(r, key))].append(r)
    return {k: {"tickets": len(v), "predictors": at_issue(v)} for k, v in sorted(groups.items())}


def build(obs: Observer, meta: dict[str, Any]) -> dict[str, Any]:
    all_records = list(obs.records.values())
    measured = scored(all_records)
    predictors = at_issue(measured)
    return {
        **meta,
        "tickets": len(all_records),
        "scored": len(measured),
        "never_called": sum(r.called_s is None for r in all_records),
        "no_estimate": sum(r.called_s is not None and r.hallq is None for r in all_records),
        "refused": obs.refused,
        "changes": obs.changes,
        "predictors": predictors,
        "hallq_beats": margins(predictors),
        "updates": later(obs),
        "by_queue": grouped(measured, "queue"),
        "by_hour": grouped(measured, "hour"),
    }
