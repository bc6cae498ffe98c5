"""What the visitors of a simulated day were shown, and what really happened (issue 13).

A follower of the hall's commits, like the publisher: it reads each committed change's events
(the ticket and queue views the phones and kiosks get) and keeps, for every ticket,

- at issue: HallQ's estimate and range (the ticket view), the queue-length estimate (the place
  in the queue's `order` times its `s_per_ticket`, what the phone page showed until issue 13),
  and the two delay-history predictors of Ibrahim & Whitt: HOL, how long the longest-waiting
  ticket of the queue has waited so far, and LES, the wait of the queue's last ticket to be
  called (before any call of the day: the queue-length estimate);
- at every later change of its queue while it waits for its first call: HallQ's and the
  queue-length estimate of its place then (a changed figure only, as the phone shows it);
- when it was first called: the real wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.core.hall import Hall
from server.db.uow import Committed


@dataclass
class Record:
    id: str
    number: str
    queue: str
    item: str | None
    green: bool
    issued_s: float
    hour: int
    ahead: int
    hallq: int | None
    low: int | None
    high: int | None
    queue_length: int | None = None
    hol: int | None = None
    les: int | None = None
    called_s: float | None = None

    @property
    def wait_s(self) -> float | None:
        return None if self.called_s is None else self.called_s - self.issued_s


@dataclass
class Update:
    ticket: str
    at_s: float
    hallq: int | None
    low: int | None
    high: int | None
    queue_length: int | None


@dataclass
class Observer:
    hall: Hall
    midnight: datetime
    # Seconds since midnight now: the simulator's virtual clock.
    clock: Callable[[], float]
    records: dict[str, Record] = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    queue_of: dict[str, str] = field(default_factory=dict)
    refused: int = 0
    changes: int = 0
    # Tickets waiting in each queue's line (not held for one window): id -> when they joined it.
    _waiting: dict[str, dict[str, float]] = field(default_factory=dict)
    _by_number: dict[str, str] = field(default_factory=dict)
    _last_wait: dict[str, float] = field(default_factory=dict)  # LES, by queue
    _shown: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    _called: set[str] = field(default_factory=set)

    def waiting_in(self, queue: str) -> int:
        return len(self._waiting.get(queue, {}))

    def __call__(self, committed: Committed) -> None:
        self.changes += 1
        now = self.clock()
        issued: list[dict] = []
        queues: dict[str, dict] = {}
        for e in committed.events:
            if e.event in ("ticket.issued", "ticket.updated", "ticket.called"):
                t = e.data["ticket"]
                self._ticket(e.event, t, bool(e.data.get("recall", False)), now)
                if e.event == "ticket.issued":
                    issued.append(t)
            elif e.event == "queue.updated":
                queues[e.data["queue"]["code"]] = e.data["queue"]
        for t in issued:
            self._at_issue(t, queues.get(t["queue"]), now)
        for q in queues.values():
            self._shown_now(q, now)

    def _ticket(self, event: str, t: dict, recall: bool, now: float) -> None:
        tid, queue, status = t["id"], t["queue"], t["status"]
        self._by_number[t["number"]] = tid
        old = self.queue_of.get(tid)
        joined = self._waiting.get(old, {}).pop(tid, None) if old is not None else None
        self.queue_of[tid] = queue
        if status == "waiting" and not t["target_window"]:
            # Issued, or back in a line (transferred, released by a closing window).
            self._waiting.setdefault(queue, {})[tid] = now if joined is None or old != queue else joined
        elif event == "ticket.called" and not recall:
            rec = self.records.get(tid)
            if rec is not None and rec.called_s is None:
                rec.called_s = now
            self._called.add(tid)
            if joined is not None:  # LES: called from the queue's line, not held for this window
                self._last_wait[queue] = now - joined

    def _at_issue(self, t: dict, q: dict | None, now: float) -> None:
        hour = int(now // 3600)
        wait_range = t.get("estimated_wait_range_s")
        rec = Record(
            id=t["id"], number=t["number"], queue=t["queue"], item=t.get("item"), green=t["priority"] == "green",
            issued_s=now, hour=hour, ahead=t["ahead"], hallq=t["estimated_wait_s"],
            low=wait_range[0] if wait_range else None, high=wait_range[1] if wait_range else None,
        )
        pace = q.get("s_per_ticket") if q else None
        rec.queue_length = None if pace is None or t["unserved"] else t["ahead"] * pace
        others = [joined for tid, joined in self._waiting.get(t["queue"], {}).items() if tid != t["id"]]
        rec.hol = round(now - min(others)) if others else 0
        last = self._last_wait.get(t["queue"])
        rec.les = round(last) if last is not None else rec.queue_length
        self.records[rec.id] = rec

    def _shown_now(self, q: dict, now: float) -> None:
        """Every waiting ticket of the queue, as its phone shows it after this change."""
        waits, pace = q.get("waits"), q.get("s_per_ticket")
        for place, number in enumerate(q.get("order") or []):
            tid = self._by_number.get(number)
            if tid is None or tid in self._called or tid not in self.records:
                continue
            w = waits[place] if waits and place < len(waits) else None
            shown = (w[0], w[1], w[2]) if w else (None, None, None)
            ql = None if pace is None or q.get("unserved") else place * pace
            key = (*shown, ql)
            if self._shown.get(tid) == key:
                continue
            first = tid not in self._shown
            self._shown[tid] = key
            if not first:  # the figure at issue is the record's own
                self.updates.append(Update(tid, now, shown[0], shown[1], shown[2], ql))
