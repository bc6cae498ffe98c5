"""How failed sign-ins slow the next ones, without telling who exists and without a lock anyone
can trigger.

Three counters, each of failures only, each forgotten a while after its last failure:

- per client address: a client that fails many times, whatever the usernames, is refused (429
  with a wait) for a time that doubles with every further failure. Spraying usernames from one
  address is refused for every username alike, and it only ever locks out that address.
- per (address, username): one address guessing one name is refused sooner.
- per username, across every address: never a refusal (that would let anyone lock a real
  account from outside), only a delay before the answer that doubles with every failure, capped
  at a few seconds. The real user, from their own address, signs in after that short delay.

None of the three knows whether the username exists: an unknown name is counted exactly as a
real one, so every answer, a refusal included, is the same for both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Record:
    """One counter's state: failures since it was last forgotten, and until when it holds."""

    failures: int = 0
    last_failure: datetime | None = None
    next_allowed: datetime | None = None


FRESH = Record()


@dataclass(frozen=True)
class Rule:
    """`free` failures cost nothing; the next waits `base`, each further one twice as long, up to
    `cap`. A counter with no failure for `forget` starts again from nothing."""

    free: int
    base: timedelta
    cap: timedelta
    forget: timedelta

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        # Exponent bounded: 2**64 seconds is far past any cap, and no overflow however long the attack.
        return min(self.cap, self.base * 2 ** min(failures - self.free, 40))


@dataclass(frozen=True)
class Policy:
    address: Rule = Rule(free=10, base=timedelta(seconds=30), cap=timedelta(minutes=15), forget=timedelta(hours=1))
    pair: Rule = Rule(free=5, base=timedelta(seconds=30), cap=timedelta(minutes=15), forget=timedelta(hours=1))
    account: Rule = Rule(free=5, base=timedelta(milliseconds=500), cap=timedelta(seconds=8),
                         forget=timedelta(hours=1))


DEFAULT = Policy()


@dataclass(frozen=True)
class Decision:
    """Either refused (`retry_after_s` whole seconds, for the Retry-After header) or let through
    after waiting `delay`."""

    retry_after_s: int | None = None
    delay: timedelta = timedelta(0)

    @property
    def refused(self) -> bool:
        return self.retry_after_s is not None


def current(record: Record, rule: Rule, now: datetime) -> Record:
    """The record as it stands at `now`: forgotten once `forget` has passed since its last failure."""
    if record.last_failure is None or now - record.last_failure >= rule.forget:
        return FRESH
    return record


def after_failure(record: Record, rule: Rule, now: datetime) -> Record:
    failures = current(record, rule, now).failures + 1
    wait = rule.wait_after(failures)
    return Record(failures=failures, last_failure=now, next_allowed=now + wait if wait else None)


def _remaining(record: Record, rule: Rule, now: datetime) -> timedelta:
    held = current(record, rule, now).next_allowed
    return max(timedelta(0), held - now) if held else timedelta(0)


def decide(address: Record, pair: Record, account: Record, now: datetime, policy: Policy = DEFAULT) -> Decision:
    """Whether an attempt from this address for this username may go on now, and after what delay."""
    refused = max(_remaining(address, policy.address, now), _remaining(pair, policy.pair, now))
    if refused > timedelta(0):
        return Decision(retry_after_s=max(1, math.ceil(refused.total_seconds())))
    # The account's own wait is served as a delay, never a refusal: within `cap` whatever happened.
    return Decision(delay=min(_remaining(account, policy.account, now), policy.account.cap))
