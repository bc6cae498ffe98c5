"""Overflow rules (跨窗通办): when a queue grows, another window takes its business too.

A rule from the hall file reads "queue B has more than 10 waiting or a longest wait over 20
minutes → window 12 also serves B with weight 1". `evaluate` looks at a snapshot of the queues
and the live allocation and returns the proposals to show on the manager's board:

- none for a window that already serves the queue (the proposal is applied, or a manager did it);
- none twice: one per (window, queue), the first rule in the file's order winning, and none for a
  pair already on the board (`pending`);
- none for a window that is not in service (a reserve window nobody opened).

A proposal is applied through the allocation like any change (`rule_change`), audited as the
rule's. An automatic rule's proposals are applied at once by the caller. Adding a queue to a
window never leaves another queue without a window, so no article 26 check is needed here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .allocation import Change, ChangeKind, WindowQueues, queues_json
from .hall import Hall, OverflowRule, ServedQueue


@dataclass(frozen=True)
class QueueSnapshot:
    queue: str
    waiting: int
    longest_wait_s: float = 0.0


@dataclass(frozen=True)
class Proposal:
    rule: str
    window: str
    queue: str
    weight: int
    automatic: bool
    reason: str  # "中文 / English", stored as the audited change's reason

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule, "window": self.window, "queue": self.queue, "weight": self.weight,
            "automatic": self.automatic, "reason": self.reason,
        }


def triggered(rule: OverflowRule, snap: QueueSnapshot | None) -> str | None:
    """Why the rule fires on this snapshot, in words for the board and the audit; None if it does not."""
    if snap is None:
        return None
    if rule.waiting_over is not None and snap.waiting > rule.waiting_over:
        return (f"队列{rule.queue}等候{snap.waiting}人，超过{rule.waiting_over}人 / "
                f"queue {rule.queue} has {snap.waiting} waiting, over {rule.waiting_over}")
    limit = rule.longest_wait_minutes_over
    if limit is not None and snap.waiting > 0 and snap.longest_wait_s > 60.0 * limit:
        minutes = int(snap.longest_wait_s // 60)
        return (f"队列{rule.queue}最长等候{minutes}分钟，超过{limit:g}分钟 / "
                f"queue {rule.queue} longest wait {minutes} min, over {limit:g}")
    return None


def evaluate(
    rules: Iterable[OverflowRule],
    snapshot: Mapping[str, QueueSnapshot],
    allocation: Mapping[str, WindowQueues],
    *,
    pending: Collection[tuple[str, str]] = (),
    in_service: Collection[str] | None = None,
) -> list[Proposal]:
    """The proposals the rules make now. `pending`: (window, queue) pairs already proposed and not
    yet applied or dismissed; `in_service`: the windows that may serve now (None: all)."""
    seen = set(pending)
    out: list[Proposal] = []
    for rule in rules:
        why = triggered(rule, snapshot.get(rule.queue))
        queues = allocation.get(rule.window)
        if why is None or queues is None or (in_service is not None and rule.window not in in_service):
            continue
        key = (rule.window, rule.queue)
        if key in seen or any(sq.queue == rule.queue for sq in queues):
            continue
        seen.add(key)
        reason = f"跨窗通办规则“{rule.name}”：{why} / overflow rule {rule.name}"
        out.append(Proposal(rule.name, rule.window, rule.queue, rule.weight, rule.automatic, reason))
    return out


def with_proposal(queues: WindowQueues, proposal: Proposal) -> WindowQueues:
    """The window's queues once the proposal is applied, from its queues at that moment (two
    proposals for one window both stay, whichever is applied first); unchanged if already there."""
    if any(sq.queue == proposal.queue for sq in queues):
        return queues
    return (*queues, ServedQueue(proposal.queue, proposal.weight))


def rule_change(hall: Hall, allocation: Mapping[str, WindowQueues], proposal: Proposal, now: datetime,
                actor: str | None = None, actor_id: int | None = None) -> Change | None:
    """The audited change applying a proposal: the rule's own for an automatic rule, else the
    manager's who clicked (`actor`). None when there is nothing left to apply."""
    before = allocation.get(proposal.window)
    if before is None:
        return None
    after = with_proposal(before, proposal)
    if after == before:
        return None
    window = hall.window(proposal.window)
    departments = {window.department} if window and window.department else set()
    departments |= {q.department for sq in after if (q := hall.queue(sq.queue))}
    return Change(
        ChangeKind.WINDOW_QUEUES, proposal.window, before, after, now, actor or f"rule:{proposal.rule}",
        proposal.reason, actor_id, frozenset(departments),
    )


def proposals_json(proposals: Iterable[Proposal], allocation: Mapping[str, WindowQueues]) -> list[dict[str, object]]:
    """For the board: each proposal with the window's queues before and after."""
    return [
        {**p.to_json(), "before": queues_json(allocation.get(p.window, ())),
         "after": queues_json(with_proposal(allocation.get(p.window, ()), p))}
        for p in proposals
    ]
