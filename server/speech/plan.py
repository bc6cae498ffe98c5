"""What a loudspeaker says next when calls queue up for it: the policy that keeps a burst of calls
heard within 30 s (issue 9), and a simulator that proves it on measured durations.

Pure: no clock of its own (times are passed in, in seconds), no I/O. The display's player runs the
same rule (display/static/voiceplan.js; tests/speech/test_plan.py checks the two agree), since the
player is the one that knows what its loudspeaker is doing.

The rule, for the calls waiting in call order:

- one call waiting and the loudspeaker silent: its full announcement (chime, the call `repeat`
  times, the English line if the hall has one);
- otherwise the loudspeaker is busy: the oldest calls are said in one announcement, each once and
  faster ("请A零零五号到一号窗口，B零幺二号到三号窗口"), at most `merge_max` of them when
  `merge_after` or more are waiting, else the oldest alone; a chime first only if the loudspeaker
  was silent, since back to back the previous announcement already drew the hall's attention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    merge_after: int = 2
    merge_max: int = 6
    # The loudspeaker counts as silent this long after its last announcement ended; the player
    # waits `gap_s` (0.4 s) between announcements, so back-to-back ones are never "silent".
    idle_after_s: float = 1.0

    def __post_init__(self) -> None:
        if self.merge_after < 1 or self.merge_max < 1:
            raise ValueError("merge_after and merge_max must be at least 1")


@dataclass(frozen=True)
class Step:
    """Say the oldest `take` waiting calls: their full audio (`full`, `take` is 1), or each once
    in one merged announcement, after a chime if `chime`."""

    take: int
    full: bool
    chime: bool


def next_step(waiting: int, now: float, last_end: float | None, policy: Policy) -> Step | None:
    """What to say now, with `waiting` calls ready and the last announcement over at `last_end`."""
    if waiting <= 0:
        return None
    idle = last_end is None or now - last_end >= policy.idle_after_s
    if waiting == 1 and idle:
        return Step(1, full=True, chime=True)
    take = min(waiting, policy.merge_max) if waiting >= policy.merge_after else 1
    return Step(take, full=False, chime=idle)


@dataclass(frozen=True)
class Sounds:
    """Measured seconds of one call's audio: its full announcement, and the pieces of a merged
    one (the chime with its pause, the call said first, and said after another)."""

    full: float
    chime: float
    once: float
    more: float


@dataclass(frozen=True)
class Player:
    """How the display plays, in seconds: from the call to its audio being playable, between two
    announcements, and between two pieces of one."""

    latency_s: float = 0.3
    gap_s: float = 0.4
    part_gap_s: float = 0.05


def simulate(
    arrivals: Sequence[float], sounds: Sequence[Sounds], policy: Policy, player: Player = Player()
) -> list[float]:
    """When each call has been said (the end of its words), for calls made at `arrivals` (in call
    order) on one loudspeaker that plays by `next_step`."""
    n = len(arrivals)
    ready = [a + player.latency_s for a in arrivals]
    heard: list[float | None] = [None] * n
    free_at = float("-inf")
    last_end: float | None = None
    head = 0
    while head < n:
        now = max(free_at, ready[head])
        waiting = sum(1 for i in range(head, n) if ready[i] <= now)
        step = next_step(waiting, now, last_end, policy)
        assert step is not None
        if step.full:
            end = now + sounds[head].full
            heard[head] = end
        else:
            end = now + (sounds[head].chime if step.chime else 0.0)
            for j in range(step.take):
                end += (sounds[head + j].once if j == 0 else player.part_gap_s + sounds[head + j].more)
                heard[head + j] = end
        head += step.take
        last_end = end
        free_at = end + player.gap_s
    return [h for h in heard if h is not None]
