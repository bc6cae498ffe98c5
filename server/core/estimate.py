"""How many are ahead of a waiting ticket and how long it will wait.

`ahead` counts the waiting tickets of the same queue that its windows call first: green before
normal, then by place. It is the number a visitor can check against the hall screen.

`estimate_wait_s` is the queue-length predictor, `ahead × mean service time ÷ effective windows`,
what HallQ showed until issue 13. It is kept as the day simulator's baseline (docs/wait-estimates.md)
and as the queue's `s_per_ticket` pace; every figure shown for a wait is HallQ's estimator below:
- the mean service time is this queue's measured called→finished time today, shrunk towards the
  items' typical duration while there are few measurements (so the first two visits of the day
  do not swing every estimate);
- a window counts fully for a queue it serves alone and by its weight's share when it serves
  other queues that also have people waiting; paused and closed windows count zero.
With no open window the estimate is None: the hall must say so rather than invent a number.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .estimate_places import CallTimes, Estimates, WaitEstimate
from .hall import PlannedPause, Window

PRIOR_WEIGHT = 3.0


def mean_service_s(total_s: float, count: float, typical_s: float) -> float:
    """The measured mean shrunk towards the typical duration as if PRIOR_WEIGHT typical visits had
    been measured too (`count` may be a sum of recency weights)."""
    return (total_s + PRIOR_WEIGHT * typical_s) / (count + PRIOR_WEIGHT)


def share_of(queue: str, window: Window, waiting: Mapping[str, int]) -> float:
    """The share of a window's calls that go to `queue`: its weight among the queues waiting there
    (this one counted whether or not it has anyone waiting); 0 when the window does not serve it."""
    own = window.weight(queue)
    if not own:
        return 0.0
    return own / sum(sq.weight for sq in window.queues if sq.queue == queue or waiting.get(sq.queue, 0) > 0)


def effective_windows(queue: str, open_windows: Iterable[Window], waiting: Mapping[str, int]) -> float:
    return sum(share_of(queue, w, waiting) for w in open_windows)


def estimate_wait_s(ahead: int, mean_s: float, windows: float) -> int | None:
    if windows <= 0:
        return None
    return round(ahead * mean_s / windows)


# --- HallQ's estimator (issue 13): when will the windows reach this ticket, and how sure is it --
#
# docs/queueing.md explains the model and its assumptions; docs/wait-estimates.md measures it.
# In short: each window that serves the queue is a server that frees up after the rest of its
# current service (the elapsed time is known; the rest follows from a lognormal service time) or,
# paused, at the end of its pause allowance; then it takes one of this queue's tickets every
# `occupation ÷ share` seconds, where `share` is the queue's weight at that window among the
# queues waiting there. The (ahead + 1)-th free-up is the call. The spread comes from the
# renewal-process variance of that many completions, plus the model's own error.

# Lognormal service times' coefficient of variation before any is measured, and the weight of
# that prior (in visits) against the measured ones.
PRIOR_CV = 0.6
CV_PRIOR_WEIGHT = 5.0
# Today's durations weigh by recency: a weight halves every HALF_LIFE visits back.
HALF_LIFE = 20.0
# A window's staff take a moment from one visitor's finish to the next call.
CALL_GAP_S = 15.0
# What a no-show costs a window: the call, a recall and the wait before the next call.
NO_SHOW_S = 150.0
# The relative error of the model itself (shares, staff's pace, tickets arriving ahead), added to
# the stochastic spread. Set once on the normal-day scenario only (docs/wait-estimates.md).
MODEL_ERROR = 0.5
# The range aims at this central share: the 10% and 90% quantiles.
Z80 = 1.2816
# A range is at least this wide (it is shown in whole minutes), never empty or inverted.
MIN_WIDTH_S = 60.0
# Planned pauses leave at least this share of a queue's capacity.
MIN_CAPACITY = 0.2
# The expected green arrivals slow a normal ticket at most this much (the factor is capped).
MAX_GREEN_SLOWDOWN = 2.0


@dataclass(frozen=True)
class ServiceTimes:
    """What one call of the queue occupies a window for: the mean and spread of its services,
    and the share of calls nobody answers."""

    mean_s: float
    cv: float = PRIOR_CV
    no_show: float = 0.0

    @property
    def occupation_s(self) -> float:
        return (1.0 - self.no_show) * self.mean_s + self.no_show * NO_SHOW_S + CALL_GAP_S

    @property
    def occupation_var(self) -> float:
        """Variance of one call's occupation: a mixture of a lognormal service and a no-show."""
        second = (1.0 - self.no_show) * self.mean_s**2 * (1.0 + self.cv**2) + self.no_show * NO_SHOW_S**2
        return max(0.0, second - self.occupation_s**2)


@dataclass(frozen=True)
class Server:
    """A window as the estimate sees it: free in `free_in_s` seconds, then calling one of this
    queue's tickets every `occupation ÷ share` seconds."""

    share: float
    free_in_s: float = 0.0


def measured_service(
    durations: Sequence[float], typical_s: float, no_shows: int = 0, served: int = 0,
) -> ServiceTimes:
    """The queue's service times from today's latest durations (newest first), recency-weighted
    (weight halves every HALF_LIFE visits) and shrunk towards the items' typical duration.

    The no-show share is the day's: `no_shows` among the day's calls, `served + no_shows` (both
    counted over the whole day; `durations` is only the latest few), shrunk towards none."""
    weights = [0.5 ** (i / HALF_LIFE) for i in range(len(durations))]
    mean = mean_service_s(sum(w * d for w, d in zip(weights, durations, strict=True)), sum(weights), typical_s)
    var_total = CV_PRIOR_WEIGHT * (PRIOR_CV * mean) ** 2
    var_w = CV_PRIOR_WEIGHT + sum(weights)
    var_total += sum(w * (d - mean) ** 2 for w, d in zip(weights, durations, strict=True))
    cv = math.sqrt(var_total / var_w) / mean if mean > 0 else PRIOR_CV
    calls = max(served, len(durations)) + no_shows
    share = no_shows / (calls + PRIOR_WEIGHT) if calls else 0.0
    return ServiceTimes(mean_s=mean, cv=cv, no_show=share)


def residual_s(elapsed_s: float, service: ServiceTimes) -> float:
    """Expected rest of a lognormal service already `elapsed_s` long: E[S − e | S > e]."""
    m = service.mean_s
    if elapsed_s <= 0 or m <= 0:
        return max(0.0, m)
    sigma2 = math.log1p(service.cv**2)
    sigma = math.sqrt(sigma2)
    mu = math.log(m) - sigma2 / 2
    z = (math.log(elapsed_s) - mu) / sigma
    survive = 0.5 * math.erfc(z / math.sqrt(2))
    if survive < 1e-9:
        return min(m, NO_SHOW_S)  # far beyond any usual service: it must end any moment
    tail = 0.5 * math.erfc((z - sigma) / math.sqrt(2))
    return max(0.0, m * tail / survive - elapsed_s)


def window_servers(
    queue: str, windows: Iterable[Window], waiting: Mapping[str, int], free_in_s: Mapping[str, float],
) -> list[Server]:
    """The windows (open, or paused and coming back) that serve `queue`, each with its share of
    calls as `effective_windows` counts it and when it frees up (`free_in_s` by window id)."""
    return [
        Server(share=share, free_in_s=free_in_s.get(w.id, 0.0))
        for w in windows if (share := share_of(queue, w, waiting)) > 0
    ]


def call_times(count: int, servers: Sequence[Server], occupation_s: float) -> CallTimes:
    """Expected seconds until each of the next `count` calls of the queue (`occupation_s` > 0).

    A window calls this queue only `share` of the time. The calls are counted as the windows'
    shares add up: the free windows' shares are there at once (two free windows of their own:
    two calls at once; a free proxy window of share 0.1: a tenth of a call, the rest of it still
    to come), and the rest accrues at the windows' rates. A busy window frees up after a random
    rest of mean `free_in_s` and calls this queue with chance `share`: it adds `share ÷ free_in_s`
    to the rate. The first of several to free up comes sooner than the soonest of their means (the
    mean of a minimum is below the minimum of the means), so the rests are raced as exponentials;
    after each call, the window likeliest to have freed (the shortest rest) serves at its long-run
    pace, `share ÷ occupation_s` calls a second.

    Once every busy window has been counted in, the calls come at one steady rate: the places from
    there on are worked out when asked for, so a new ticket at the end of a line of thousands costs
    what one at the head does."""
    active = sorted((s for s in servers if s.share > 0), key=lambda s: s.free_in_s)
    if not active:
        return CallTimes([], 0, 0.0, 0.0)  # no window calls this queue: no call to come
    free = [s for s in active if s.free_in_s < 1.0]  # free now, or within the second
    waiting = [s for s in active if s.free_in_s >= 1.0]  # the busy windows' rests, shortest first
    credit = sum(s.share for s in free)  # calls already due
    head: list[float] = []
    while len(head) < count and credit >= 1.0 - 1e-9:
        head.append(0.0)
        credit -= 1.0
    credit = max(0.0, credit)
    rate = sum(s.share / occupation_s for s in free) + sum(s.share / s.free_in_s for s in waiting)
    at = 0.0
    while len(head) < count and waiting:
        at += (1.0 - credit) / rate
        credit = 0.0
        head.append(at)
        first = waiting.pop(0)
        rate += first.share / occupation_s - first.share / first.free_in_s
    # The next call after the head comes (1 − credit) ÷ rate later (credit is spent once any call
    # was counted in the loop above), each one after it 1 ÷ rate later.
    return CallTimes(head, count, at + (1.0 - credit) / rate, 1.0 / rate)


def slowdowns(
    now_s: float, pauses: Iterable[PlannedPause], open_count: int, returns_s: Sequence[float] = (),
) -> list[tuple[float, float, float]]:
    """The hall's planned pauses ahead, as (start, end, capacity factor) in seconds from now
    (`now_s`: seconds since local midnight). During a pause about `share` of a queue's windows are
    away, whoever they are: a paused window coming back (`returns_s`, from now) frees a colleague
    for lunch rather than adding a window. So each span's factor caps the windows the model counts
    at work (the `open_count` open now, plus those back by then) at (1 − share) of them all."""
    total = open_count + len(returns_s)
    if total <= 0:
        return []
    back = sorted(max(0.0, r) for r in returns_s)
    out = []
    for p in pauses:
        start = max(0.0, p.start.hour * 3600.0 + p.start.minute * 60.0 - now_s)
        end = p.end.hour * 3600.0 + p.end.minute * 60.0 - now_s
        if end <= start:
            continue
        allowed = (1.0 - p.share) * total
        cuts = [start, *(r for r in back if start < r < end), end]
        for a, b in zip(cuts, cuts[1:], strict=False):
            working = open_count + sum(1 for r in back if r <= a)
            if working > allowed and b > a:
                out.append((a, b, max(MIN_CAPACITY, allowed / working)))
    return sorted(out)


def stretch(full_s: float, spans: Sequence[tuple[float, float, float]]) -> float:
    """Seconds it takes to do `full_s` seconds of full-capacity work through the slowed spans."""
    at, left = 0.0, full_s
    for start, end, factor in spans:
        start = max(start, at)
        if end <= start:
            continue
        if left <= start - at:
            return at + left
        left -= start - at
        if left <= (end - start) * factor:
            return start + left / factor
        left -= (end - start) * factor
        at = end
    return at + left


def wait_estimates(
    count: int, servers: Sequence[Server], service: ServiceTimes, green_per_s: float = 0.0,
    spans: Sequence[tuple[float, float, float]] = (),
) -> Estimates | None:
    """The estimate for the tickets with 0, 1, ... `count` − 1 ahead; None when no window serves
    the queue (say "no window open", never a number). `green_per_s`: green-channel arrivals
    expected per second, who will be called before a normal ticket (0 for a green one); `spans`:
    the planned pauses ahead (`slowdowns`)."""
    active = [s for s in servers if s.share > 0]
    if not active:
        return None
    capacity = sum(s.share for s in active)
    occupation = service.occupation_s
    slow = 1.0
    if green_per_s > 0:
        load = green_per_s * occupation / capacity
        slow = min(MAX_GREEN_SLOWDOWN, 1.0 / max(1e-9, 1.0 - load)) if load < 1 else MAX_GREEN_SLOWDOWN
    rel_var = service.occupation_var / occupation**2 if occupation > 0 else 0.0
    times = call_times(count, active, occupation)
    # The first free-up is raced as exponentials: its variance is its mean squared, and every
    # later call inherits it.
    first_var = (times[0] * slow) ** 2 if times else 0.0
    gap = occupation / capacity

    step_var = gap**2 * rel_var

    def at(ahead: int, call_s: float) -> WaitEstimate:
        mean = stretch(call_s * slow, spans) if spans else call_s * slow
        # Renewal processes: Var(time to n completions) ≈ n · gap² · cv² (summed over windows).
        return _range(mean, first_var + ahead * step_var + (MODEL_ERROR * mean) ** 2)

    def run(start: int, stop: int) -> list[WaitEstimate]:
        # `at` for a stretch of places in one loop, without a call and a lookup per place.
        out = []
        for ahead, call_s in zip(range(start, stop), times[start:stop], strict=True):
            mean = call_s * slow
            if spans:
                mean = stretch(mean, spans)
            out.append(_range(mean, first_var + ahead * step_var + (MODEL_ERROR * mean) ** 2))
        return out

    return Estimates(times, at, run)


def appointments_ahead(
    ahead: int, call_at_s: Callable[[int], float | None], due_in_s: Sequence[float], share: float,
) -> int:
    """How many appointment (预约) tickets will be called before a walk-in with `ahead` tickets
    before it in line (server/core/calling.py, rule 4): those falling due before its call.

    `due_in_s`: when each booking that may pass it falls due, in seconds from now, sorted (0: due
    already: a checked-in appointment placed after it, or a booking whose slot has begun);
    `call_at_s(k)`: the expected seconds until the call of a ticket with k ahead (None: unknown).
    Each appointment that passes it puts its call later, so more fall due before it: counted
    until that settles. They take at most `share` of the calls up to and including its own:
    x <= share × (ahead + x + 1), so x <= share × (ahead + 1) ÷ (1 − share)."""
    if share <= 0 or not due_in_s:
        return 0
    cap = len(due_in_s) if share >= 1 else min(len(due_in_s), math.floor(share * (ahead + 1) / (1 - share) + 1e-9))
    passed = 0
    while passed < cap:
        at = call_at_s(ahead + passed)
        if at is None:
            return passed
        more = min(cap, bisect_right(due_in_s, at))
        if more <= passed:
            break
        passed = more
    return passed


def range_minutes(low_s: float, high_s: float) -> tuple[int, int]:
    """A range in whole minutes as screens and tickets show it: outward to the minute, and to
    5 minutes once it reaches 10 (约15–25分钟, not 约13–27分钟); never empty. kiosk/static/wait.js
    holds the same rule for the pages."""
    step = 1 if high_s < 600 else 5
    low = math.floor(low_s / 60 / step) * step
    high = math.ceil(high_s / 60 / step) * step
    return low, max(high, low + step)


def _range(mean: float, var: float) -> WaitEstimate:
    """The 10%..90% quantiles of a lognormal with this mean and variance, never negative, empty
    or inverted, at least MIN_WIDTH_S wide."""
    if mean < 1.0:  # now, or within the second: at once (and no division by a vanishing mean)
        return WaitEstimate(0, 0, _MIN_WIDTH)
    sigma2 = _log1p(var / (mean * mean))
    spread = Z80 * _sqrt(sigma2)
    mu = _log(mean) - sigma2 / 2
    low = max(0, _floor(_exp(mu - spread)))
    # A very skewed spread (sigma > 2.56) puts the mean above the 90% quantile; the range still
    # holds the figure it is shown with.
    high = max(_ceil(_exp(mu + spread)), low + _MIN_WIDTH, round(mean))
    return WaitEstimate(round(mean), low, high)


# Looked up once: _range runs for each place of every line a change shows.
_log1p, _sqrt, _log, _exp, _floor, _ceil = math.log1p, math.sqrt, math.log, math.exp, math.floor, math.ceil
_MIN_WIDTH = int(MIN_WIDTH_S)
