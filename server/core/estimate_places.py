"""A line's places as the wait estimate works them out (server/core/estimate.py): each place when
it is first asked for, since a change shows up to 200 places of a line and usually reads few."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, overload


class WaitEstimate(NamedTuple):
    """A tuple, not a frozen dataclass: a change builds one for each of up to 200 places of a
    line, and a tuple is made at a third of the cost."""

    wait_s: int
    low_s: int
    high_s: int

    @property
    def range(self) -> list[int]:
        return [self.low_s, self.high_s]


class CallTimes(Sequence[float]):
    """`call_times`' answer: the calls worked out one by one while busy windows free up (`head`),
    then one every `step` seconds from `next_s` on."""

    __slots__ = ("_head", "_count", "_next", "_step")

    def __init__(self, head: list[float], count: int, next_s: float, step: float) -> None:
        self._head, self._count, self._next, self._step = head, max(count, len(head)), next_s, step

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> list[float]: ...

    def __getitem__(self, index: int | slice) -> float | list[float]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            head, nxt, each = self._head, self._next, self._step
            out = head[start:stop]
            return out + [nxt + (i - len(head)) * each for i in range(max(start, len(head)), stop)]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        head = self._head
        if index < len(head):
            return head[index]
        return self._next + (index - len(head)) * self._step

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


class Estimates(Sequence[WaitEstimate]):
    """The estimates of the places 0, 1, ... of a line, each worked out when first asked for: a
    change reads one or a few of them (the new ticket's place, the line's heads), and a long line
    must not cost a range per waiting ticket on every change. The places from 0 on are kept in one
    list: a line asked for again (the next change's, server/app/waits.py) is a slice of it."""

    def __init__(self, times: Sequence[float], at: Callable[[int, float], WaitEstimate],
                 run: Callable[[int, int], list[WaitEstimate]]) -> None:
        """`at(i, call_s)`: place i's estimate; `run(start, stop)`: the same for places start to
        stop − 1 in one loop (a queue's view asks for up to 200 places on every change)."""
        self._times, self._at, self._run = times, at, run
        self._head: list[WaitEstimate] = []  # places 0 .. len − 1
        self._known: dict[int, WaitEstimate] = {}  # single places further on

    def __len__(self) -> int:
        return len(self._times)

    @overload
    def __getitem__(self, index: int) -> WaitEstimate: ...

    @overload
    def __getitem__(self, index: slice) -> list[WaitEstimate]: ...

    def __getitem__(self, index: int | slice) -> WaitEstimate | list[WaitEstimate]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            head = self._head
            if step == 1 and start <= len(head) < stop:
                head = self._extend(stop)
            if step == 1 and stop <= len(head):
                return head[start:stop]
            return [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        head = self._head
        if index < len(head):
            return head[index]
        found = self._known.get(index)
        if found is None:
            found = self._known[index] = self._at(index, self._times[index])
        return found

    def _extend(self, stop: int) -> list[WaitEstimate]:
        """The places up to `stop`, as a new list: a line is shared by changes that may run in
        threads (server/app/waits.py), and one reading the list before never sees it change. Two
        extending at once each keep a correct list; whichever is kept last is."""
        head = self._head
        self._head = head = head + self._run(len(head), stop)
        return head

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)
