"""Time limits of cases to their end (articles 14 and 16), by staff: the answer to a receipt (收件),
extensions (延长) approved by the department's chief (not a hall manager, not the requester), suspensions of the clock
(中止计时), and the cases desk's list of the open cases.

The rules are `server.core.case_clock`; each change here is one transaction with its audit entry,
its `case.updated` event and its outbox row for the platform (`cases.announce`), like every
transition, and the applicant's printed notice where the law wants one in writing.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from server.core import case_access as access
from server.core import case_clock as clock
from server.core import cases as core
from server.core.case_errors import CaseNotFound, ClockSuspended, ExtensionDecided
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.windows import Role, Staff
from server.db import case_clock_repo as repo
from server.db import cases_repo
from server.db.cases_repo import StoredCase
from server.db.uow import UnitOfWork

from . import allocated, documents
from .cases import Caller, actor_for, actor_name, announce, case_view, material_names, sees_identity, summary, who
from .context import Services
from .views import iso
from .workcal import hall_calendar


def _hall_time(svc: Services, uow: UnitOfWork) -> Any:
    return uow.now.astimezone(ZoneInfo(svc.hall.timezone))


def _locked(uow: UnitOfWork, number: str) -> StoredCase:
    stored = cases_repo.get(uow.conn, number, lock=True)
    if stored is None:
        raise CaseNotFound(number)
    return stored


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _done(svc: Services, uow: UnitOfWork, caller: Caller, number: str, event: dict[str, Any],
          paper: dict[str, Any] | None = None) -> dict[str, Any]:
    moved = announce(svc, uow, number, "case.updated", {**event, "by": actor_name(caller)})
    view = case_view(svc, moved, identity=sees_identity(caller, moved), now=uow.now)
    events = repo.of_cases(uow.conn, [number])[number]
    svc.commit(uow)
    return {"case": view, "clock": [event_view(svc, e) for e in events],
            "document": paper["document"] if paper else None, "print": paper["print"] if paper else None}


def print_notice(svc: Services, uow: UnitOfWork, stored: StoredCase, kind: str,
                 extra: dict[str, Any]) -> dict[str, Any]:
    """The applicant's paper for a clock change (kinds `extension`, `suspension`) or a receipt's
    answer (`acceptance`, `notice`): registered, numbered and printed at the window that opened the
    case (`documents.issue`), in this transaction. Returns `{"document", "print"}`."""
    return documents.issue(svc, uow, stored, kind, window=None, extra=extra)


# --- the receipt's answer (收件 → 受理 | 一次性告知) -------------------------------------------------


def answer_received(svc: Services, uow: UnitOfWork, caller: Caller, stored: StoredCase, to: core.Status,
                    note: str, missing: tuple[str, ...]) -> dict[str, Any]:
    """Called by `cases.transition` inside its transaction for a case in `received`."""
    item = allocated.current_hall(svc, uow).item(stored.case.item)  # the guide in force
    if item is None:
        raise NotFound(f"item {stored.case.item} is no longer in the hall config")
    after = clock.answer_received(stored.case, to, item=item, at=_hall_time(svc, uow), actor=actor_name(caller),
                                  calendar=hall_calendar(svc.hall), missing=missing, note=note)
    names = material_names(item, (*after.materials, *after.missing), stored.material_names)
    cases_repo.save_transition(uow.conn, stored, after, uow.now, material_names=names)
    uow.audit("case.answer", stored.number, status=to.value, missing=list(after.missing),
              promised=_day(after.promised), note=note)
    moved = cases_repo.get(uow.conn, stored.number)
    assert moved is not None
    accepted = to is core.Status.ACCEPTED
    # The slip's acceptance day is the history's (the receipt day when deemed accepted), as the
    # progress page shows it; a notice's 说明 is this answer's note, not the receipt visit's.
    tz = ZoneInfo(svc.hall.timezone)
    paper = print_notice(svc, uow, moved, "acceptance" if accepted else "notice",
                         {"accepted_on": clock.acceptance_day(after, tz)} if accepted
                         else {"note": after.history[-1].note})
    view = _done(svc, uow, caller, stored.number, {
        "kind": "status", "previous": core.Status.RECEIVED.value, "status": to.value,
        "note": after.history[-1].note, "missing": list(after.missing), "promised": _day(after.promised),
    }, paper)
    return {**view["case"], "document": paper["document"], "print": paper["print"]}


# --- extensions (延长) --------------------------------------------------------------------------


def may_approve(staff: Staff, case: core.Case) -> bool:
    """The chief representative of the case's department: the notice says "经本机关负责人批准" (art. 42),
    and a hall manager is not the deciding authority's head."""
    return staff.role is Role.CHIEF and staff.department == case.department


def request_extension(svc: Services, caller: Caller, number: str, *, days: int, reason: str,
                      legal_basis: str) -> dict[str, Any]:
    number = core.canonical_case_number(number)
    with svc.write(actor_for(caller)) as uow:
        stored = _locked(uow, number)
        access.require_move(who(caller), stored.case)
        asked = clock.check_extension(
            stored.case, clock.ExtensionRequest(days, reason, legal_basis),
            granted=repo.count(uow.conn, number, repo.EXTENSION, "approved"),
            pending=repo.count(uow.conn, number, repo.EXTENSION, "requested"), rules=svc.hall.case_clock)
        eid = repo.add(uow.conn, number, repo.EXTENSION, "requested", by=actor_name(caller), at=uow.now,
                       days=asked.days, reason=asked.reason, legal_basis=asked.legal_basis,
                       old_promised=stored.case.promised)
        cases_repo.save_transition(uow.conn, stored, stored.case, uow.now)  # a change: version bumped
        uow.audit("case.extension_requested", number, extension=eid, days=asked.days, reason=asked.reason,
                  legal_basis=asked.legal_basis)
        return _done(svc, uow, caller, number, {"kind": "extension_requested", "extension": eid,
                                                "days": asked.days})


def decide_extension(svc: Services, staff: Staff, number: str, extension: int, *, approve: bool,
                     note: str = "") -> dict[str, Any]:
    number = core.canonical_case_number(number)
    note = note.strip()[:1000]
    with svc.write(actor_for(staff)) as uow:
        stored = _locked(uow, number)
        if not may_approve(staff, stored.case):
            manager = " (a hall manager is not the department's head the notice names)" \
                if staff.role is Role.MANAGER else ""
            raise Forbidden(f"an extension of case {number} is approved by the chief representative of "
                            f"{stored.case.department}, the head of the deciding department{manager}",
                            zh=f"延长办件 {number} 的时限须经本机关负责人（{stored.case.department}首席代表）批准"
                               + ("，大厅管理人员不能批准" if staff.role is Role.MANAGER else ""))
        event = repo.get(uow.conn, extension)
        if event is None or event["case_number"] != number or event["kind"] != repo.EXTENSION:
            raise NotFound(f"case {number} has no extension request {extension}",
                           zh=f"办件 {number} 没有编号为 {extension} 的延长申请")
        if event["state"] != "requested":
            raise ExtensionDecided(extension=extension, state=event["state"])
        if event["requested_by"] == actor_name(staff):
            raise Forbidden(f"extension {extension} was requested by {staff.username}: someone else approves it",
                            zh="延长申请不能由申请人本人批准或驳回")
        if stored.case.suspended_since is not None:
            raise ClockSuspended(number=number)
        if not approve and not note:
            raise Invalid("note: a rejection states why", zh="驳回延长申请须说明理由")
        state, after, paper = "rejected", stored.case, None
        if approve:
            after = clock.extended(stored.case, int(event["days"]), hall_calendar(svc.hall))
            state = "approved"
        repo.decide(uow.conn, extension, from_state="requested", state=state, by=staff.username, at=uow.now,
                    note=note, new_promised=after.promised if approve else None)
        cases_repo.save_transition(uow.conn, stored, after, uow.now)
        uow.audit(f"case.extension_{state}", number, extension=extension, days=event["days"], note=note,
                  old_promised=_day(stored.case.promised), new_promised=_day(after.promised))
        if approve:
            moved = cases_repo.get(uow.conn, number)
            assert moved is not None
            paper = print_notice(svc, uow, moved, "extension", {
                "previous_promised": stored.case.promised, "promised": after.promised,
                "reason": event["reason"], "legal_basis": event["legal_basis"],
                "approved_by": staff.display_name or staff.username,
            })
        return _done(svc, uow, staff, number, {
            "kind": f"extension_{state}", "extension": extension, "days": event["days"],
            "old_promised": _day(stored.case.promised), "promised": _day(after.promised), "note": note,
        }, paper)


# --- suspensions (中止计时) ----------------------------------------------------------------------


def start_suspension(svc: Services, caller: Caller, number: str, *, kind: str, reason: str) -> dict[str, Any]:
    number = core.canonical_case_number(number)
    try:
        why = clock.SuspensionKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in clock.SuspensionKind)
        raise Invalid(f"kind: unknown suspension {kind!r}; use one of {known}", zh="未知的中止计时情形") from None
    reason = reason.strip()[:1000]
    if not reason:
        raise Invalid("reason: a suspension states its reason", zh="中止计时须写明理由")
    with svc.write(actor_for(caller)) as uow:
        stored = _locked(uow, number)
        access.require_move(who(caller), stored.case)
        after = clock.suspended(stored.case, uow.now)
        eid = repo.add(uow.conn, number, repo.SUSPENSION, "running", by=actor_name(caller), at=uow.now,
                       reason=reason, suspension_kind=why.value, old_promised=stored.case.promised)
        cases_repo.save_transition(uow.conn, stored, after, uow.now)
        uow.audit("case.suspended", number, suspension=eid, kind=why.value, reason=reason)
        moved = cases_repo.get(uow.conn, number)
        assert moved is not None
        paper = print_notice(svc, uow, moved, "suspension", {
            "procedure": clock.SUSPENSION_WORDS[why][0], "reason": reason,
            "started_on": _hall_time(svc, uow).date(),
        })
        return _done(svc, uow, caller, number, {"kind": "suspended", "suspension": eid,
                                                "suspension_kind": why.value}, paper)


def end_suspension(svc: Services, caller: Caller, number: str) -> dict[str, Any]:
    number = core.canonical_case_number(number)
    with svc.write(actor_for(caller)) as uow:
        stored = _locked(uow, number)
        access.require_move(who(caller), stored.case)
        running = repo.running_suspension(uow.conn, number)
        after, days = clock.resumed(stored.case, _hall_time(svc, uow), hall_calendar(svc.hall))
        if running is not None:
            repo.decide(uow.conn, running["id"], from_state="running", state="ended", by=actor_name(caller),
                        at=uow.now, days=days, new_promised=after.promised)
        cases_repo.save_transition(uow.conn, stored, after, uow.now)
        uow.audit("case.resumed", number, suspension=running["id"] if running else None, days=days,
                  old_promised=_day(stored.case.promised), new_promised=_day(after.promised))
        moved = cases_repo.get(uow.conn, number)
        assert moved is not None
        assert stored.case.suspended_since is not None  # resumed() checked it
        kind = clock.SuspensionKind(running["suspension_kind"]) if running else clock.SuspensionKind.OTHER
        # A case with nothing promised (one suspended before a receipt's suspension was refused, then
        # noticed) has no new date to tell: its suspension ends without a paper.
        paper = None if after.promised is None else print_notice(svc, uow, moved, "suspension", {
            "procedure": clock.SUSPENSION_WORDS[kind][0], "reason": running["reason"] if running else "中止计时",
            "started_on": stored.case.suspended_since.astimezone(ZoneInfo(svc.hall.timezone)).date(),
            "resumed_on": _hall_time(svc, uow).date(), "promised": after.promised,
        })
        return _done(svc, uow, caller, number, {"kind": "resumed", "days": days,
                                                "old_promised": _day(stored.case.promised),
                                                "promised": _day(after.promised)}, paper)


# --- the cases desk -----------------------------------------------------------------------------


def event_view(svc: Services, e: dict[str, Any]) -> dict[str, Any]:
    kind = e["suspension_kind"]
    words = clock.SUSPENSION_WORDS.get(clock.SuspensionKind(kind)) if kind else None
    return {
        "id": e["id"], "kind": e["kind"], "state": e["state"], "days": e["days"],
        "suspension_kind": kind, "suspension_label": list(words) if words else None,
        "reason": e["reason"], "legal_basis": e["legal_basis"],
        "old_promised": _day(e["old_promised"]), "new_promised": _day(e["new_promised"]),
        "requested_by": e["requested_by"], "requested_at": iso(svc.hall, e["requested_at"]),
        "decided_by": e["decided_by"], "decided_at": iso(svc.hall, e["decided_at"]),
        "decision_note": e["decision_note"],
    }


def desk_departments(staff: Staff) -> tuple[str, ...] | None:
    """Whose open cases the desk lists: all for a manager, else the member of staff's department."""
    if staff.role is Role.MANAGER:
        return None
    if staff.role in (Role.CHIEF, Role.WINDOW) and staff.department:
        return (staff.department,)
    raise Forbidden("the cases desk is for department staff, chief representatives and managers",
                    zh="办件台仅供部门窗口人员、首席代表和管理人员使用")


def open_cases(svc: Services, staff: Staff) -> dict[str, Any]:
    """The cases whose promise is still to keep, least time left first, each with its clock."""
    departments = desk_departments(staff)
    with svc.read() as uow:
        now = uow.now
        found = cases_repo.clocked(uow.conn, departments)
        events = repo.of_cases(uow.conn, [s.number for s in found])
    out = []
    for stored in found:
        s = summary(svc, stored, now)
        mine = [event_view(svc, e) for e in events[stored.number]]
        pending = next((e for e in mine if e["kind"] == repo.EXTENSION and e["state"] == "requested"), None)
        out.append({**s, "clock": mine,
                    # Nobody decides their own request.
                    "may_approve": may_approve(staff, stored.case)
                    and not (pending and pending["requested_by"] == staff.username),
                    "pending_extension": pending["id"] if pending else None})
    out.sort(key=lambda s: (s["days_left"] is None, s["days_left"] if s["days_left"] is not None else 0,
                            s["number"]))
    return {"today": svc.today(now).isoformat(), "cases": out,
            "suspension_kinds": [{"code": k.value, "name": zh, "name_en": en}
                                 for k, (zh, en) in clock.SUSPENSION_WORDS.items()],
            "rules": {"max_extensions": svc.hall.case_clock.max_extensions,
                      "max_extension_days": svc.hall.case_clock.max_extension_days}}
