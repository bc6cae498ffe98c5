"""差评整改: the follow-up of every poor rating, from its opening to the answer or the exclusion.

`open_for` is called by the ratings' handler in the unit of work that stores a rating of 1 or 2.
Every change after it (a step, an appeal, a manager's decision, a new warning tier) is one unit of
work: audited, emitted to the `followups` rooms (the department's chief, the managers; never the
window staff) and, except the warnings, queued in the outbox for the provincial rating system
(destination "ratings", ordered per rating by the key "rating-ID"). The rules are
server/core/followup.py's; the JSON shapes are followup_views'.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core import followup as core
from server.core.errors import Invalid, NotFound
from server.core.followup import Status
from server.core.windows import Staff
from server.db import accounts_repo
from server.db import followups_repo as repo
from server.db.followups_repo import StoredFollowup
from server.db.uow import Actor, UnitOfWork

from . import outbox
from .context import Services
from .followup_views import followup_view, summary
from .rooms import FOLLOWUPS
from .workcal import hall_calendar

log = logging.getLogger("hallq.followups")

DESTINATION = "ratings"
WARNINGS_ACTOR = Actor("system", None, "followup warnings")
# How often a running server looks for follow-ups whose step ahead reached a new tier.
WARNING_CHECK_EVERY_S = 300.0
STATUSES = ("open", "closed", "all")


class FollowupNotFound(NotFound):
    """No follow-up for rating {rating_id}: only a rating of 1 or 2 has one."""

    code = "followup_not_found"
    zh = "没有该差评整改记录"


class ChangedMeanwhile(core.FollowupError):
    """The follow-up of rating {rating_id} changed meanwhile: read it again and retry."""

    kind = "conflict"
    code = "changed_meanwhile"
    zh = "该差评整改刚被他人更新，请刷新后重试"


def _actor(staff: Staff) -> Actor:
    return Actor("staff", staff.id, staff.username)


def _who(staff: Staff) -> str:
    return f"{staff.display_name or staff.username} ({staff.username})"


def outbox_key(rating_id: int) -> str:
    return f"rating-{rating_id}"


# --- opening ----------------------------------------------------------------------------------------


def open_for(svc: Services, uow: UnitOfWork, rating: dict[str, Any]) -> None:
    """Open the follow-up of a poor rating just stored in `uow` (not committed: the rating and its
    follow-up commit together). `rating` is the ratings row as a dict (id, level, department, at,
    ...). A rating of 3-5 has none: ignored. Its steps are due on the hall calendar from the day
    the rating came in (`at`, in the hall's zone)."""
    if rating.get("level") not in core.POOR_LEVELS:
        return
    department = rating.get("department")
    if not department and (q := svc.hall.queue(str(rating.get("queue") or ""))) is not None:
        department = q.department
    if not department:
        # Nobody's to follow up: logged loudly, never lost silently (the rating itself is kept).
        log.error("rating %s has no department: no follow-up opened", rating.get("id"))
        return
    rating_id = int(rating["id"])
    at = rating.get("at") or uow.now
    received = svc.today(datetime.fromisoformat(at) if isinstance(at, str) else at)
    due = core.due_dates(received, svc.hall.followup, hall_calendar(svc.hall))
    first = core.Followup()
    repo.open_followup(uow.conn, rating_id, department, due, core.next_due(first, due), uow.now)
    repo.add_history(uow.conn, rating_id, uow.now, Status.RECEIVED.value, None, "system", "")
    uow.audit("followup.opened", str(rating_id), followup={"rating": rating_id, "department": department,
                                                            "due": {k: d.isoformat() for k, d in due.items()}})
    _announce(svc, uow, rating_id, "followup.opened", "rating.followup.opened", {"kind": "opened"})


def _announce(svc: Services, uow: UnitOfWork, rating_id: int, event: str, outbox_event: str | None,
              change: dict[str, Any]) -> StoredFollowup:
    stored = repo.get(uow.conn, rating_id)
    assert stored is not None
    names = _names(uow, [stored])
    uow.emit(event, [FOLLOWUPS], {"followup": summary(svc, stored, uow.now, names), "change": change})
    if outbox_event is not None:
        outbox.record(svc, uow, outbox_key(rating_id), outbox_event, {
            "version": stored.version, "change": change,
            "followup": followup_view(svc, stored, uow.now, names),
        }, destination=DESTINATION)
    return stored


def _names(uow: UnitOfWork, found: list[StoredFollowup]) -> dict[int, Staff]:
    return accounts_repo.staff_many(uow.conn, {int(f.rating["staff_id"]) for f in found if f.rating.get("staff_id")})


# --- reading ----------------------------------------------------------------------------------------


def list_followups(svc: Services, staff: Staff, status: str = "open") -> dict[str, Any]:
    """The follow-ups a reader sees: a chief their department's, managers and admins all."""
    if status not in STATUSES:
        raise Invalid(f"must be one of {', '.join(STATUSES)}, not {status!r}", zh="状态须为 open、closed 或 all",
                      where="status")
    departments = core.departments_seen(staff)
    with svc.read() as uow:
        found = repo.listing(uow.conn, departments, status)
        names = _names(uow, found)
        now = uow.now
    return {
        "today": svc.today(now).isoformat(),
        "tiers": [{"name": t.name, "share_left": t.share_left} for t in svc.hall.warning_tiers],
        "followups": [followup_view(svc, f, now, names) for f in found],
    }


def _readable(uow: UnitOfWork, staff: Staff, rating_id: int, *, lock: bool = False) -> StoredFollowup:
    core.departments_seen(staff)  # window staff: 403 before anything is said of a rating
    stored = repo.get(uow.conn, rating_id, lock=lock)
    if stored is None:
        raise FollowupNotFound(rating_id=rating_id)
    if not core.may_read(staff, stored.department):
        # Another department's chief: as if it did not exist (the rating is not theirs to know of).
        raise FollowupNotFound(rating_id=rating_id)
    return stored


def get_followup(svc: Services, staff: Staff, rating_id: int) -> dict[str, Any]:
    with svc.read() as uow:
        stored = _readable(uow, staff, rating_id)
        return followup_view(svc, stored, uow.now, _names(uow, [stored]))


# --- moving -----------------------------------------------------------------------------------------


def _change(svc: Services, uow: UnitOfWork, stored: StoredFollowup, after: core.Followup) -> None:
    if not repo.save(uow.conn, stored, after, core.next_due(after, stored.due), uow.now):
        raise ChangedMeanwhile(rating_id=stored.rating_id)


def step(svc: Services, staff: Staff, rating_id: int, name: object, note: str) -> dict[str, Any]:
    """Take the next step (called_back, verified, rectified or explained, answered) with a note."""
    to = core.step_named(name)
    with svc.write(_actor(staff)) as uow:
        stored = _readable(uow, staff, rating_id, lock=True)
        core.require_step(staff, stored.department)
        after = core.advance(stored.followup, to, note)
        note = note.strip()
        _change(svc, uow, stored, after)
        previous = stored.followup.status.value
        repo.add_history(uow.conn, rating_id, uow.now, to.value, previous, _who(staff), note)
        uow.audit("followup.step", str(rating_id), step=to.value, previous=previous, note=note,
                  department=stored.department)
        moved = _announce(svc, uow, rating_id, "followup.updated", f"rating.followup.{to.value}", {
            "kind": "step", "step": to.value, "previous": previous, "note": note, "by": _who(staff)})
        view = followup_view(svc, moved, uow.now, _names(uow, [moved]))
        svc.commit(uow)
        return view


def request_appeal(svc: Services, staff: Staff, rating_id: int, reason: str) -> dict[str, Any]:
    """The chief asks that the rating be judged mistaken or malicious (申诉): a manager decides."""
    with svc.write(_actor(staff)) as uow:
        stored = _readable(uow, staff, rating_id, lock=True)
        core.require_appeal(staff, stored.department)
        after = core.request_appeal(stored.followup, reason)
        _change(svc, uow, stored, after)
        status = stored.followup.status.value
        repo.add_history(uow.conn, rating_id, uow.now, "appeal_pending", status, _who(staff), after.appeal_reason)
        uow.audit("followup.appeal", str(rating_id), reason=after.appeal_reason, status=status,
                  department=stored.department)
        moved = _announce(svc, uow, rating_id, "followup.updated", "rating.followup.appealed", {
            "kind": "appeal", "appeal": "pending", "reason": after.appeal_reason, "by": _who(staff)})
        view = followup_view(svc, moved, uow.now, _names(uow, [moved]))
        svc.commit(uow)
        return view


def decide_appeal(svc: Services, staff: Staff, rating_id: int, approve: bool, reason: str) -> dict[str, Any]:
    """A manager's decision: approved, the rating is excluded from the statistics (kept, with the
    reason) and the follow-up closes as `excluded`; rejected, it goes on where it stood."""
    core.require_decide(staff)
    with svc.write(_actor(staff)) as uow:
        stored = _readable(uow, staff, rating_id, lock=True)
        after = core.decide_appeal(stored.followup, approve, reason)
        reason = reason.strip()
        _change(svc, uow, stored, after)
        status = stored.followup.status.value
        if approve:
            repo.exclude_rating(uow.conn, rating_id, reason, uow.now)
        outcome = "excluded" if approve else "appeal_rejected"
        repo.add_history(uow.conn, rating_id, uow.now, outcome, status, _who(staff), reason)
        uow.audit("followup.excluded" if approve else "followup.appeal_rejected", str(rating_id),
                  approve=approve, reason=reason, status=status, department=stored.department,
                  appeal_reason=stored.followup.appeal_reason)
        moved = _announce(svc, uow, rating_id, "followup.updated", f"rating.followup.{outcome}", {
            "kind": "appeal_decision", "approve": approve, "reason": reason, "by": _who(staff)})
        view = followup_view(svc, moved, uow.now, _names(uow, [moved]))
        svc.commit(uow)
        return view


# --- warnings ---------------------------------------------------------------------------------------


def level_of(svc: Services, stored: StoredFollowup, now: datetime) -> str | None:
    hall = svc.hall
    return core.tier(stored.followup, stored.due, stored.rating["at"], now, hall.hours, hall_calendar(hall),
                     ZoneInfo(hall.timezone), hall.warning_tiers)


def check_warnings(svc: Services) -> list[tuple[int, str | None]]:
    """Announce every open follow-up whose step ahead changed tier since last announced
    (`followup.warning` to the `followups` rooms), each change once. Run every few minutes."""
    changed: list[tuple[int, str | None]] = []
    with svc.write(WARNINGS_ACTOR) as uow:
        for stored in repo.open_ones(uow.conn):
            level = level_of(svc, stored, uow.now)
            if level == stored.warning_level or not repo.set_warning(uow.conn, stored.rating_id, level, uow.now):
                continue
            _announce(svc, uow, stored.rating_id, "followup.warning", None, {
                "kind": "warning", "level": level, "previous": stored.warning_level,
                "next_due": stored.next_due.isoformat() if stored.next_due else None})
            changed.append((stored.rating_id, level))
        if changed:
            uow.audit("followup.warnings", "", changes=[{"rating": r, "level": lv} for r, lv in changed])
        svc.commit(uow)
    return changed
