"""How many windows a queue needs: Erlang C (M/M/c), per queue and per planning interval.

A queue with arrival rate λ (visitors an hour), mean service time S and c windows carries
a = λ·S offered load (erlangs). Erlang C gives the probability that a visitor has to wait, and
from it the mean wait and the share called within a target wait; the recommendation is the
fewest whole windows meeting the hall's target (`StaffingTarget`, e.g. 80% within 15 minutes).
docs/staffing.md states the formulas, their assumptions and where a hall breaks them.

Window counts may be fractional: a proxy window serving several queues counts for each by its
weight share (`windows_per_queue`). Erlang B is therefore computed for a real c through its
continuous extension (the incomplete gamma function) for the fractional part, then the usual
recursion upwards, which is exact at whole c and never forms a factorial, so it stays stable
for hundreds of windows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from .hall import Hours, ServedQueue, StaffingTarget

METHOD = "erlang_c"
# Visitors observed today before today's rate weighs as much as the weekday's history.
HISTORY_PRIOR_VISITORS = 20.0
# Services measured today before today's mean service time weighs as much as the history's.
SERVICE_PRIOR_VISITORS = 10.0
# No target short of 100% needs more windows than this over the load; beyond it the input is absurd.
_MAX_EXTRA_WINDOWS = 10_000
_EPS = 1e-15
_TINY = 1e-300


# --- Erlang B and C ---------------------------------------------------------------------------


def offered_load(arrivals_per_hour: float, service_s: float) -> float:
    """a = λ·S in erlangs: how many windows the queue keeps busy on average."""
    return max(0.0, arrivals_per_hour) * max(0.0, service_s) / 3600.0


def erlang_b(c: float, a: float) -> float:
    """Blocking probability B(c, a) for c ≥ 0 servers (real c allowed) and a ≥ 0 erlangs."""
    if c < 0 or a < 0:
        raise ValueError("erlang_b needs c >= 0 and a >= 0")
    if a == 0:
        return 1.0 if c == 0 else 0.0
    whole = math.floor(c)
    frac = c - whole
    b = _erlang_b_fraction(frac, a) if frac > 0 else 1.0
    for k in range(1, whole + 1):
        # B(x) = a·B(x−1) / (x + a·B(x−1)): every term stays in [0, 1], no factorials.
        b = a * b / (frac + k + a * b)
    return b


def _erlang_b_fraction(x: float, a: float) -> float:
    """B(x, a) for 0 < x < 1: 1/B = a·∫₀^∞ e^(−a·t)·(1+t)^x dt = e^a·a^(−x)·Γ(x+1, a)."""
    s = x + 1.0
    if a < s + 1.0:
        # Series for the lower incomplete gamma; a is small here, so nothing under- or overflows.
        term = total = 1.0 / s
        n = s
        while abs(term) > abs(total) * _EPS:
            n += 1.0
            term *= a / n
            total += term
        p = total * math.exp(-a + s * math.log(a) - math.lgamma(s))
        log_inverse = a - x * math.log(a) + math.lgamma(s) + math.log1p(-min(p, 1.0 - _EPS))
        return min(1.0, math.exp(-log_inverse))  # rounding may leave 1 + ε for x near 0
    # Continued fraction (modified Lentz) for the upper incomplete gamma Γ(s, a) = e^(−a)·a^s·h;
    # with it the exponentials cancel exactly: 1/B = a·h.
    b = a + 1.0 - s
    c_ = 1.0 / _TINY
    d = 1.0 / b
    h = d
    i = 0
    while True:
        i += 1
        an = -i * (i - s)
        b += 2.0
        d = an * d + b
        d = d if abs(d) > _TINY else _TINY
        c_ = b + an / c_
        c_ = c_ if abs(c_) > _TINY else _TINY
        d = 1.0 / d
        step = d * c_
        h *= step
        if abs(step - 1.0) < _EPS or i > 10_000:
            break
    return min(1.0, 1.0 / (a * h))


def erlang_c(c: float, a: float) -> float:
    """Probability that a visitor waits at all, with c windows and a erlangs (1 when c ≤ a)."""
    if a <= 0:
        return 0.0
    if c <= a:
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def expected_wait_s(c: float, arrivals_per_hour: float, service_s: float) -> float | None:
    """Mean wait before the call, Wq = C(c, a)·S / (c − a). None when no window serves the queue
    (c = 0, as an estimate is null then) or it would grow without end (c ≤ a); 0 when nobody
    arrives at a served queue."""
    if c <= 0:
        return None
    if arrivals_per_hour <= 0:
        return 0.0
    a = offered_load(arrivals_per_hour, service_s)
    if c <= a:
        return None
    return erlang_c(c, a) * service_s / (c - a)


def service_level(c: float, arrivals_per_hour: float, service_s: float, target_wait_s: float) -> float:
    """Share of visitors called within `target_wait_s`: 1 − C(c, a)·e^(−(c − a)·t / S)."""
    if arrivals_per_hour <= 0:
        return 1.0
    a = offered_load(arrivals_per_hour, service_s)
    if c <= a:
        return 0.0
    if service_s <= 0:
        return 1.0
    return 1.0 - erlang_c(c, a) * math.exp(-(c - a) * max(0.0, target_wait_s) / service_s)


def windows_needed(arrivals_per_hour: float, service_s: float, share: float, target_wait_s: float) -> int:
    """The fewest whole windows that call `share` of the visitors within `target_wait_s`.

    Always more than the load a (so the wait is finite); 0 when nobody arrives."""
    if not 0 < share < 1:
        raise ValueError("the target share must lie strictly between 0 and 1")
    if arrivals_per_hour <= 0 or service_s <= 0:
        return 0
    a = offered_load(arrivals_per_hour, service_s)
    n = math.floor(a) + 1
    limit = n + _MAX_EXTRA_WINDOWS
    while n < limit and service_level(n, arrivals_per_hour, service_s, target_wait_s) < share:
        n += 1
    return n


# --- inputs: blended rates and service times -------------------------------------------------


def blend_weight(observed_today: float, prior: float = HISTORY_PRIOR_VISITORS) -> float:
    """How much today counts against history: n / (n + prior), 0 at opening, → 1 as the day fills."""
    n = max(0.0, observed_today)
    return n / (n + prior) if n + prior > 0 else 1.0


def blended_rate(
    history_per_hour: float | None,
    observed_today: int,
    hours_elapsed: float,
    expected_so_far: float | None = None,
) -> float:
    """Arrivals an hour to plan with, blending today's count so far with the same weekday's history.

    - `history_per_hour`: the weekday's mean for the interval being planned (None: no history).
    - `observed_today`, `hours_elapsed`: tickets of the queue issued today and the open hours so far.
    - `expected_so_far`: how many the history expected by now; when given (> 0), today's level
      scales the history's shape: today's figure for the interval = history × observed / expected,
      so a busy morning raises the afternoon forecast without flattening the lunch dip.

    rate = w·today + (1 − w)·history with w = n / (n + 20) (`blend_weight`); without history,
    today's rate alone; with neither, 0.
    """
    if history_per_hour is None:
        return observed_today / hours_elapsed if hours_elapsed > 0 else 0.0
    if expected_so_far is not None and expected_so_far > 0:
        today = history_per_hour * observed_today / expected_so_far
    elif hours_elapsed > 0:
        today = observed_today / hours_elapsed
    else:
        return history_per_hour
    w = blend_weight(observed_today)
    return w * today + (1.0 - w) * history_per_hour


def blended_service_s(
    typical_s: float,
    today_total_s: float = 0.0,
    today_count: int = 0,
    history_mean_s: float | None = None,
) -> float:
    """Mean service time: today's measurements shrunk towards the weekday's history, or towards the
    items' typical duration from the hall config when there is no history (a missing service
    time is never a reason to give no recommendation)."""
    prior = history_mean_s if history_mean_s and history_mean_s > 0 else typical_s
    return (today_total_s + SERVICE_PRIOR_VISITORS * prior) / (today_count + SERVICE_PRIOR_VISITORS)


# --- allocation → windows per queue -----------------------------------------------------------


def window_shares(queues: Sequence[ServedQueue]) -> dict[str, float]:
    """A window's capacity split over its queues by weight: weight / sum of the window's weights.

    This is the share `calling.choose_next` gives each queue while all of them have someone
    waiting, the busy case that staffing is about, and what a manager sets, so a what-if can
    predict it before any call is made (recent calls only describe the allocation that was)."""
    total = sum(sq.weight for sq in queues)
    return {sq.queue: sq.weight / total for sq in queues} if total > 0 else {}


def windows_per_queue(allocation: Mapping[str, Sequence[ServedQueue]]) -> dict[str, float]:
    """Windows each queue has, proxy windows counted by their share. `allocation`: the windows
    that count (open ones), window id → the queues it serves."""
    counts: dict[str, float] = {}
    for queues in allocation.values():
        for queue, share in window_shares(queues).items():
            counts[queue] = counts.get(queue, 0.0) + share
    return counts


# --- planning intervals -------------------------------------------------------------------------


def intervals(hours: Hours, minutes: int = 30) -> list[tuple[time, time]]:
    """The hall's open time cut into planning intervals; the last of a period may be shorter."""
    out: list[tuple[time, time]] = []
    for start, end in hours.periods:
        t = start.hour * 60 + start.minute
        stop = end.hour * 60 + end.minute
        while t < stop:
            nxt = min(stop, t + minutes)
            out.append((time(t // 60, t % 60), time(nxt // 60, nxt % 60)))
            t = nxt
    return out


def _minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def forecast(
    cut: Sequence[tuple[time, time]], history: Mapping[time, float], observed_today: int, at: time
) -> tuple[IntervalLoad, ...]:
    """Each interval's arrivals an hour for today, as of `at`: the same weekday's history
    (`history`: interval start → mean arrivals an hour; empty when there is none) blended with the
    `observed_today` tickets so far by `blended_rate`, today's level scaling the history's shape."""
    hours_elapsed = expected = 0.0
    for start, end in cut:
        done_h = max(0, min(_minutes_of(at), _minutes_of(end)) - _minutes_of(start)) / 60.0
        hours_elapsed += done_h
        expected += history.get(start, 0.0) * done_h
    return tuple(
        IntervalLoad(start, end, blended_rate(history.get(start, 0.0) if history else None, observed_today,
                                              hours_elapsed, expected))
        for start, end in cut
    )


# --- the recommendations payload (protocol v1.1) ----------------------------------------------


@dataclass(frozen=True)
class IntervalLoad:
    start: time
    end: time
    arrivals_per_hour: float


@dataclass(frozen=True)
class QueueLoad:
    """What a queue brings: its (blended) arrival rate and mean service time, None when unknown."""

    queue: str
    arrivals_per_hour: float
    service_s: float | None = None
    intervals: tuple[IntervalLoad, ...] = ()
    # Visitors in line now: a backlog nobody serves needs a window whatever the forecast rate says
    # (before opening, today's rate is still 0 though the 8:45 arrivals are waiting).
    waiting: int = 0


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


# --- a line waiting with no arrival rate yet (before opening) -------------------------------------


def backlog_wait_s(c: float, waiting: int, service_s: float) -> float | None:
    """Mean wait before the call of `waiting` visitors already in line when c windows start calling
    them now: the k-th (from 0) is called after ⌊k/c⌋ services. None with no window."""
    if c <= 0:
        return None
    if waiting <= 0:
        return 0.0
    return sum(math.floor(k / c) for k in range(waiting)) * service_s / waiting


def backlog_service_level(c: float, waiting: int, service_s: float, target_wait_s: float) -> float:
    """Share of the line called within `target_wait_s` by c windows starting now."""
    if waiting <= 0:
        return 1.0
    if c <= 0:
        return 0.0
    return sum(1 for k in range(waiting) if math.floor(k / c) * service_s <= target_wait_s) / waiting


def backlog_windows_needed(waiting: int, service_s: float, share: float, target_wait_s: float) -> int:
    """The fewest whole windows calling `share` of the line within `target_wait_s`: at least one
    for anybody waiting, never more than the line (each called at once)."""
    if waiting <= 0:
        return 0
    for c in range(1, waiting + 1):
        if backlog_service_level(c, waiting, service_s, target_wait_s) >= share:
            return c
    return waiting


def queue_figures(
    load: QueueLoad, windows_now: float, target: StaffingTarget, typical_s: float
) -> dict[str, object]:
    """One queue's row. Erlang C describes the steady flow; a queue with nobody arriving by the
    forecast (before opening: today's rate is still 0) but a line waiting is judged by that line
    instead, so early arrivals nobody serves are never told they need no window."""
    service = load.service_s if load.service_s and load.service_s > 0 else typical_s
    lam, n = load.arrivals_per_hour, load.waiting
    if lam <= 0 and n > 0:
        needed = backlog_windows_needed(n, service, target.share, target.wait_s)
        wait_now, wait_needed = backlog_wait_s(windows_now, n, service), backlog_wait_s(needed, n, service)
        level_now = backlog_service_level(windows_now, n, service, target.wait_s)
        level_needed = backlog_service_level(needed, n, service, target.wait_s)
    else:
        needed = windows_needed(lam, service, target.share, target.wait_s)
        wait_now, wait_needed = expected_wait_s(windows_now, lam, service), expected_wait_s(needed, lam, service)
        level_now = service_level(windows_now, lam, service, target.wait_s)
        level_needed = service_level(needed, lam, service, target.wait_s)
    row: dict[str, object] = {
        "queue": load.queue,
        "arrivals_per_hour": round(lam, 1),
        "waiting": n,
        "service_s": round(service),
        "windows_now": round(windows_now, 2),
        "windows_needed": needed,
        "expected_wait_s_now": _seconds(wait_now),
        "expected_wait_s_needed": _seconds(wait_needed),
        "service_level_now": round(level_now, 3),
        "service_level_needed": round(level_needed, 3),
    }
    if load.intervals:
        row["intervals"] = [
            {
                "start": i.start.strftime("%H:%M"),
                "end": i.end.strftime("%H:%M"),
                "arrivals_per_hour": round(i.arrivals_per_hour, 1),
                "windows_needed": (n := windows_needed(i.arrivals_per_hour, service, target.share, target.wait_s)),
                "expected_wait_s_now": _seconds(expected_wait_s(windows_now, i.arrivals_per_hour, service)),
                "expected_wait_s_needed": _seconds(expected_wait_s(n, i.arrivals_per_hour, service)),
            }
            for i in load.intervals
        ]
    return row


def recommendations(
    loads: Iterable[QueueLoad],
    allocation: Mapping[str, Sequence[ServedQueue]],
    target: StaffingTarget,
    typical_s: Mapping[str, float] | None = None,
) -> dict[str, object]:
    """`GET /api/v1/recommendations`: for each queue, its load beside the windows it has now (the
    open windows in `allocation`, proxies by share) and the windows it needs for `target`.

    `typical_s`: each queue's typical service time from the hall config, used where a load has
    no measured service time (default 600 s, as `Hall.typical_service_s`)."""
    now = windows_per_queue(allocation)
    typical = typical_s or {}
    return {
        "method": METHOD,
        "target": {"share": target.share, "wait_s": round(target.wait_s)},
        "queues": [
            queue_figures(load, now.get(load.queue, 0.0), target, typical.get(load.queue, 600.0)) for load in loads
        ],
    }


def what_if(
    loads: Iterable[QueueLoad],
    before: Mapping[str, Sequence[ServedQueue]],
    after: Mapping[str, Sequence[ServedQueue]],
    target: StaffingTarget,
    typical_s: Mapping[str, float] | None = None,
) -> list[dict[str, object]]:
    """Expected waits of every queue whose windows change between two allocations, before and after
    ("move window 12 from queue B to queue F": B's and F's waits now and after the move)."""
    now, then = windows_per_queue(before), windows_per_queue(after)
    typical = typical_s or {}
    rows: list[dict[str, object]] = []
    for load in loads:
        c0, c1 = now.get(load.queue, 0.0), then.get(load.queue, 0.0)
        if abs(c0 - c1) < 1e-9:
            continue
        service = load.service_s if load.service_s and load.service_s > 0 else typical.get(load.queue, 600.0)
        lam = load.arrivals_per_hour
        rows.append({
            "queue": load.queue,
            "arrivals_per_hour": round(lam, 1),
            "service_s": round(service),
            "windows_before": round(c0, 2),
            "windows_after": round(c1, 2),
            "expected_wait_s_before": _seconds(expected_wait_s(c0, lam, service)),
            "expected_wait_s_after": _seconds(expected_wait_s(c1, lam, service)),
            "service_level_before": round(service_level(c0, lam, service, target.wait_s), 3),
            "service_level_after": round(service_level(c1, lam, service, target.wait_s), 3),
        })
    return rows
