"""How many are ahead of a waiting ticket and how long it will wait.

`ahead` counts the waiting tickets of the same queue that its windows call first: green before
normal, then by place. It is the number a visitor can check against the hall screen.

The estimate is `ahead × mean service time ÷ effective windows`:
- the mean service time is this queue's measured called→finished time today, shrunk towards the
  items' typical duration while there are few measurements (so the first two visits of the day
  do not swing every estimate);
- a window counts fully for a queue it serves alone and by its weight's share when it serves
  other queues that also have people waiting; paused and closed windows count zero.
With no open window the estimate is None: the hall must say so rather than invent a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .hall import Window

PRIOR_WEIGHT = 3.0


def mean_service_s(total_s: float, count: int, typical_s: float) -> float:
    return (total_s + PRIOR_WEIGHT * typical_s) / (count + PRIOR_WEIGHT)


def effective_windows(queue: str, open_windows: Iterable[Window], waiting: Mapping[str, int]) -> float:
    total = 0.0
    for w in open_windows:
        own = w.weight(queue)
        if not own:
            continue
        busy = sum(sq.weight for sq in w.queues if sq.queue == queue or waiting.get(sq.queue, 0) > 0)
        total += own / busy
    return total


def estimate_wait_s(ahead: int, mean_s: float, windows: float) -> int | None:
    if windows <= 0:
        return None
    return round(ahead * mean_s / windows)
