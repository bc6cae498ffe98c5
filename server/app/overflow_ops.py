"""Overflow rules (跨窗通办, issue #11 point 6) on the live hall: the proposals the rules make now,
a manager's one-click apply, and automatic rules applying themselves, audited as the rule's.

The allocation change itself is `allocation_ops.set_window_queues`, audited like a manager's.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from server.core import overflow
from server.core.allocation import queues_json
from server.core.errors import DomainError, Forbidden
from server.core.windows import Staff
from server.db.uow import Actor

from . import allocation_ops
from .context import Services
from .floor import Floor, department_of

log = logging.getLogger("hallq.overflow")

ROOMS = ["hall"]


class NoSuchProposal(DomainError):
    """No rule proposes that now (the queue shrank, or the window serves it already)."""

    kind = "conflict"
    code = "no_such_proposal"
    zh = "当前没有该跨窗通办建议（队列已缓解，或窗口已在办理）"


def current(svc: Services, floor: Floor) -> list[overflow.Proposal]:
    snapshot = {
        code: overflow.QueueSnapshot(code, floor.load.waiting(code), floor.longest_wait_s.get(code, 0))
        for code in {r.queue for r in svc.hall.overflow}
    }
    held = [w for w in floor.allocation if floor.serving_window(w)]
    return overflow.evaluate(svc.hall.overflow, snapshot, floor.allocation, in_service=held)


def proposal_json(p: overflow.Proposal, floor: Floor) -> dict[str, Any]:
    snap = overflow.QueueSnapshot(p.queue, floor.load.waiting(p.queue), floor.longest_wait_s.get(p.queue, 0))
    rule = next((r for r in floor.hall.overflow if r.name == p.rule), None)
    why = (overflow.triggered(rule, snap) if rule else None) or p.reason
    zh, _, en = why.partition(" / ")
    before = floor.allocation.get(p.window, ())
    return {
        "rule": p.rule, "window": p.window, "queue": p.queue, "weight": p.weight, "automatic": p.automatic,
        "why": f"跨窗通办规则“{p.rule}”：{zh}", "why_en": f"overflow rule {p.rule}: {en or zh}",
        "before": queues_json(before), "after": queues_json(overflow.with_proposal(before, p)),
    }


def proposals_view(svc: Services, floor: Floor, dept: str | None) -> list[dict[str, Any]]:
    out = []
    for p in current(svc, floor):
        q = svc.hall.queue(p.queue)
        if dept is None or (q is not None and q.department == dept):
            out.append(proposal_json(p, floor))
    return out


def proposals(svc: Services, staff: Staff) -> dict[str, Any]:
    dept = department_of(staff)
    with svc.read() as uow:
        floor = Floor.read(svc, uow, window_times=False)
    return {"proposals": proposals_view(svc, floor, dept)}


def _set_window_queues(svc: Services, who: Staff, window: str, queues: list[dict[str, Any]], reason: str,
                       *, actor: str | None = None) -> dict[str, Any]:
    return allocation_ops.set_window_queues(svc, who, window, queues, reason, force=False, actor=actor)


def apply(svc: Services, staff: Staff, rule: str, window: str, queue: str) -> dict[str, Any]:
    """A manager (or the queue's department's chief) applies a proposal on the board."""
    dept = department_of(staff)
    q = svc.hall.queue(queue)
    if dept is not None and (q is None or q.department != dept):
        raise Forbidden(f"queue {queue} is not of your department", zh=f"队列{queue}不属于您的部门")
    with svc.read() as uow:
        floor = Floor.read(svc, uow, window_times=False)
    found = next((p for p in current(svc, floor) if (p.rule, p.window, p.queue) == (rule, window, queue)), None)
    if found is None:
        raise NoSuchProposal(rule=rule, window=window, queue=queue)
    before = floor.allocation.get(window, ())
    after = queues_json(overflow.with_proposal(before, found))
    changed = _set_window_queues(svc, staff, window, after, found.reason)
    return {"applied": proposal_json(found, floor), "allocation": changed}


class ProposalWatch:
    """The periodic round of the rules: automatic proposals applied as the rule's own change, and
    `proposal.updated` on `hall` whenever the set of proposals changes."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.last: set[tuple[str, str, str]] | None = None
        self._lock = threading.Lock()

    def check(self) -> list[str]:
        """Returns the rules applied automatically this round."""
        applied: list[str] = []
        with self._lock:
            with self.svc.read() as uow:
                floor = Floor.read(self.svc, uow, window_times=False)
            for p in current(self.svc, floor):
                if not p.automatic:
                    continue
                after = queues_json(overflow.with_proposal(floor.allocation.get(p.window, ()), p))
                try:
                    _set_window_queues(self.svc, allocation_ops.RULES, p.window, after, p.reason,
                                       actor=f"rule:{p.rule}")
                    applied.append(p.rule)
                except DomainError as exc:
                    log.warning("automatic overflow rule %s not applied: %s", p.rule, exc)
            if applied:
                with self.svc.read() as uow:
                    floor = Floor.read(self.svc, uow, window_times=False)
            now = proposals_view(self.svc, floor, None)
            # Announced when a proposal comes or goes, not each minute its "why" says a longer wait.
            keys = {(p["rule"], p["window"], p["queue"]) for p in now}
            if keys != self.last:
                self.last = keys
                with self.svc.write(Actor("system", None, "overflow rules")) as uow:
                    uow.emit("proposal.updated", ROOMS, {"proposals": now})
                    uow.audit("proposal.updated", "", proposals=[f"{p['rule']}:{p['window']}:{p['queue']}"
                                                                 for p in now])
                    self.svc.commit(uow)
        return applied

