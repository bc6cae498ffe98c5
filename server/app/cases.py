"""Cases after the window: who may see and move them, their life cycle by staff or by the approval
platform, article 16 warnings, and the views each reader gets.

Who may read a case, see its applicant whole and move it is ruled in `core.case_access`; the
words of its statuses and outcomes are `core.labels`. Every read that reveals a full ID number is
written to the audit log, as is every change.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core import case_access as access
from server.core import cases as core
from server.core import deadlines, labels
from server.core.case_clock import acceptance_day
from server.core.case_errors import CaseNotFound, MissingOnlyInNotice
from server.core.documents import appeal_for
from server.core.hall import Appeal, Item
from server.core.masking import mask_id_number, mask_name, mask_phone
from server.core.windows import Staff
from server.db import cases_repo
from server.db.cases_repo import StoredCase
from server.db.uow import Actor, UnitOfWork

from . import allocated, applicant_notify, documents, outbox
from .context import Services
from .document_fields import STATUS_KIND
from .views import iso
from .workcal import hall_calendar

# A member of staff, or a device as `accounts.device_json` gives it.
Caller = Staff | dict[str, Any]

CASE_ROOMS = ["cases"]
WARNING_ROOMS = ["hall", "cases"]
WARNINGS_ACTOR = Actor("system", None, "case warnings")
# How often a running server looks for cases that reached a new article 16 tier.
WARNING_CHECK_EVERY_S = 300.0


def new_token() -> str:
    return secrets.token_urlsafe(24)


def progress_url(svc: Services, token: str) -> str:
    return f"{svc.hall.public_url.rstrip('/')}/case/{token}"


# --- who may --------------------------------------------------------------------------------------


def who(caller: Caller) -> access.Caller:
    """The caller as the access rules know it: a member of staff, or a device by its kind."""
    return access.Device(str(caller.get("kind", ""))) if isinstance(caller, dict) else caller


def sees_identity(caller: Caller, stored: StoredCase) -> bool:
    return access.sees_identity(who(caller), stored.case, stored.opened_by)


def actor_for(caller: Caller) -> Actor:
    if isinstance(caller, dict):
        return Actor("device", caller.get("id"), str(caller.get("name", "device"))[:80])
    return Actor("staff", caller.id, caller.username)


def actor_name(caller: Caller) -> str:
    if isinstance(caller, dict):
        return f"{caller.get('kind', 'device')}:{caller.get('name', '')}"
    return caller.username


# --- views -----------------------------------------------------------------------------------------


def material_names(item: Item | None, codes: Iterable[str],
                   kept: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """The names a case keeps (code → name, name_en): `kept` ones stay, others from `item` (the
    guide in force as the case is opened or answered)."""
    out = {c: dict(v) for c, v in (kept or {}).items()}
    for code in codes:
        m = item.material(code) if item and code not in out else None
        if m is not None:
            out[code] = {"name": m.name, "name_en": m.name_en}
    return out


def _materials(svc: Services, stored: StoredCase, codes: tuple[str, ...]) -> list[dict[str, str]]:
    """The materials as the case named them; older cases' from the hall as allocated now."""
    kept = stored.material_names or {}
    item = None
    if any(c not in kept for c in codes):
        item = allocated.live_hall(svc).item(stored.case.item)
    out = []
    for code in codes:
        m = item.material(code) if item and code not in kept else None
        name = kept.get(code) or ({"name": m.name, "name_en": m.name_en} if m else {"name": code, "name_en": ""})
        out.append({"code": code, "name": name["name"], "name_en": name.get("name_en", "")})
    return out


def days_left(svc: Services, case: core.Case, today: date) -> int | None:
    return core.working_days_left(case, today, hall_calendar(svc.hall))


def time_left(svc: Services, case: core.Case, now: datetime) -> deadlines.TimeLeft | None:
    hall = svc.hall
    return deadlines.time_left(case, now, hall.hours, hall_calendar(hall), ZoneInfo(hall.timezone))


def level_of(svc: Services, case: core.Case, now: datetime) -> str | None:
    return deadlines.tier_of(time_left(svc, case, now), svc.hall.tiers_for(case.item))


def summary(svc: Services, stored: StoredCase, now: datetime | None = None) -> dict[str, Any]:
    """What events carry: no personal data at all, since rooms outlive a reader's rights."""
    case = stored.case
    now = now or svc.clock()
    today = svc.today(now)
    item = svc.hall.item(case.item)
    left = time_left(svc, case, now)
    return {
        "number": case.number,
        "status": case.status.value,
        "status_label": labels.label(labels.CASE_STATUS, case.status),
        "outcome": case.outcome.value,
        "outcome_label": labels.label(labels.OUTCOME, case.outcome),
        "item": case.item,
        "item_name": item.name if item else case.item,
        "department": case.department,
        "copied_departments": list(case.copied_departments),
        "accepted_on": case.accepted_on.isoformat(),
        "promised_date": case.promised.isoformat() if case.promised else None,
        "days_left": days_left(svc, case, today),
        # Of the item's time limit, in working time (article 16 tiers are shares of it).
        "share_left": None if left is None else round(left.share, 3),
        "warning": deadlines.tier_of(left, svc.hall.tiers_for(case.item)),
        # The clock stopped (中止计时): no days left counted, no warning, until it ends.
        "suspended": case.suspended_since is not None,
        "follows": case.follows,
        "version": stored.version,
    }


def case_view(svc: Services, stored: StoredCase, *, identity: bool, now: datetime | None = None) -> dict[str, Any]:
    """The case for staff and the platform; `identity` False masks the applicant."""
    case, hall = stored.case, svc.hall
    a = case.applicant
    dept = hall.department(case.department)
    item = hall.item(case.item)
    return {
        **summary(svc, stored, now),
        "item_name_en": item.name_en if item else "",
        "department_name": dept.name if dept else case.department,
        "applicant": {
            "name": a.name if identity else mask_name(a.name),
            "id_number": a.id_number if identity else mask_id_number(a.id_number),
            "phone": a.phone if identity else mask_phone(a.phone),
            "masked": not identity,
        },
        "materials": _materials(svc, stored, case.materials),
        "missing": _materials(svc, stored, case.missing),
        "reason": case.reason,
        "note": stored.note,
        "ticket_id": stored.ticket_id,
        "window": stored.window,
        "progress_url": progress_url(svc, stored.token),
        "created_at": iso(hall, stored.created_at),
        "updated_at": iso(hall, stored.updated_at),
        "history": [
            {
                "at": iso(hall, c.at),
                "status": c.status.value,
                "previous": c.previous.value if c.previous else None,
                "actor": c.actor,
                "note": c.note,
            }
            for c in case.history
        ],
    }


def response_view(svc: Services, stored: StoredCase) -> dict[str, Any]:
    """The case in the finish response: the window that opened it sees it whole."""
    return case_view(svc, stored, identity=True)


def announce(svc: Services, uow: UnitOfWork, number: str, event: str, change: dict[str, Any]) -> StoredCase:
    """After a case change in `uow`: the staff event, and the outbox row for the platform (in the
    same transaction, so neither exists without the change)."""
    stored = cases_repo.get(uow.conn, number)
    assert stored is not None
    uow.emit(event, WARNING_ROOMS if event == "case.warning" else CASE_ROOMS,
             {"case": summary(svc, stored, uow.now), "change": change})
    outbox.record(svc, uow, number, event, {
        "version": stored.version,
        "change": change,
        "case": case_view(svc, stored, identity=True, now=uow.now),
    })
    applicant_notify.notify(svc, uow, stored, event, change, progress_url(svc, stored.token))
    return stored


# --- reading and moving ----------------------------------------------------------------------------


def get_case(svc: Services, caller: Caller, number: str) -> dict[str, Any]:
    number = core.canonical_case_number(number)
    with svc.read() as uow:
        stored = cases_repo.get(uow.conn, number)
    if stored is None:
        raise CaseNotFound(number)
    access.require_read(who(caller), stored.case, stored.opened_by)
    identity = sees_identity(caller, stored)
    if identity:
        # Who saw an applicant's full identity is itself on record (article 31).
        with svc.write(actor_for(caller)) as uow:
            uow.audit("case.read", number, identity=True)
            svc.commit(uow)
    return case_view(svc, stored, identity=identity)


def transition(
    svc: Services, caller: Caller, number: str, to: str, note: str = "", legal_basis: str = "",
    missing: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Move the case; a decision (approved, denied) is issued in writing in the same transaction,
    printed at the window that opened the case (`documents.issue`): the view's `document` and
    `print` say which and where. A denial needs its reason (`note`) and its `legal_basis`. A
    received case is answered instead (accepted, or noticed with its `missing` codes)."""
    number = core.canonical_case_number(number)
    target = core.status_named(to)
    with svc.write(actor_for(caller)) as uow:
        stored = cases_repo.get(uow.conn, number, lock=True)
        if stored is None:
            raise CaseNotFound(number)
        access.require_move(who(caller), stored.case)
        if stored.case.status is core.Status.RECEIVED:
            from .case_clock import answer_received

            return answer_received(svc, uow, caller, stored, target, note, missing)
        if missing:
            raise MissingOnlyInNotice(outcome=target.value).at("missing")
        after = core.advance(stored.case, target, at=uow.now, actor=actor_name(caller), note=note,
                             legal_basis=legal_basis)
        cases_repo.save_transition(uow.conn, stored, after, uow.now)
        basis = legal_basis.strip()
        uow.audit("case.transition", number, previous=stored.case.status.value, status=target.value, note=note,
                  **({"legal_basis": basis} if basis else {}))
        moved = announce(svc, uow, number, "case.updated", {
            "kind": "status", "previous": stored.case.status.value, "status": target.value,
            "note": after.history[-1].note, "by": actor_name(caller),
        })
        view = case_view(svc, moved, identity=sees_identity(caller, moved), now=uow.now)
        kind = STATUS_KIND.get(target)
        if kind is not None:
            extra = {"legal_basis": basis, "note": after.history[-1].note}
            issued = documents.issue(svc, uow, moved, kind, window=None, extra=extra)
            view = {**view, "document": issued["document"], "print": issued["print"]}
        svc.commit(uow)
        return view


MAX_PAGE = 500


def updated_since(svc: Services, caller: Caller, since: datetime | None, limit: int = 100) -> dict[str, Any]:
    """For platforms that pull (article 21): cases changed at or after `since`, oldest first.
    Inclusive, so a client resumes from the last `updated_at` it saw and drops the (number, version)
    pairs it already has."""
    access.require_pull(who(caller))
    limit = max(1, min(MAX_PAGE, limit))
    with svc.read() as uow:
        found = cases_repo.updated_since(uow.conn, since, limit + 1)
        now = uow.now
    more = len(found) > limit
    found = found[:limit]
    views = [case_view(svc, s, identity=sees_identity(caller, s), now=now) for s in found]
    if views and any(v["applicant"]["masked"] is False for v in views):
        with svc.write(actor_for(caller)) as uow:
            uow.audit("case.pull", "", count=len(views), since=iso(svc.hall, since) if since else None)
            svc.commit(uow)
    return {
        "cases": views,
        "more": more,
        "next_since": views[-1]["updated_at"] if views else (iso(svc.hall, since) if since else None),
    }


# --- article 16 warnings ------------------------------------------------------------------------


def warnings(svc: Services, staff: Staff) -> dict[str, Any]:
    """Cases at a warning tier: the department's own for its chief representative, all for managers."""
    departments = access.warning_departments(staff)
    with svc.read() as uow:
        now = uow.now
        found = cases_repo.clocked(uow.conn, departments)
    out = []
    for stored in found:
        s = summary(svc, stored, now)
        if s["warning"] is not None:
            out.append(s)
    # The least time left first: overdue cases, then the smallest share of their limit.
    out.sort(key=lambda s: (s["days_left"] >= 0, s["share_left"], s["number"]))
    return {"today": svc.today(now).isoformat(), "tiers": [{"name": t.name, "share_left": t.share_left}
                                                           for t in svc.hall.warning_tiers], "cases": out}


def check_warnings(svc: Services) -> list[tuple[str, str | None]]:
    """Announce every case whose tier changed since last announced (`case.warning`, rooms hall
    and cases, and to the platform); each change of tier once. Run every few minutes."""
    changed: list[tuple[str, str | None]] = []
    with svc.write(WARNINGS_ACTOR) as uow:
        today = svc.today(uow.now)
        for stored in cases_repo.clocked(uow.conn):
            level = level_of(svc, stored.case, uow.now)
            if level == stored.warning_level:
                continue
            if not cases_repo.set_warning(uow.conn, stored.number, level, uow.now):
                continue
            announce(svc, uow, stored.number, "case.warning", {
                "kind": "warning", "level": level, "previous": stored.warning_level,
                "days_left": days_left(svc, stored.case, today),
            })
            changed.append((stored.number, level))
        if changed:
            uow.audit("case.warnings", "", changes=[{"case": n, "level": lv} for n, lv in changed])
        svc.commit(uow)
    return changed


# --- article 20 progress page --------------------------------------------------------------------


def progress_page(svc: Services, token: str) -> dict[str, Any] | None:
    """What the public progress page shows: `core.cases.public_view` and names from the catalogue."""
    if not token or len(token) > 64:
        return None
    with svc.read() as uow:
        stored = cases_repo.by_token(uow.conn, token)
        today = svc.today(uow.now)
    if stored is None:
        return None
    view = core.public_view(stored.case)
    hall = svc.hall
    item = hall.item(view.item)

    def dept(code: str) -> dict[str, str]:
        d = hall.department(code)
        return {"code": code, "name": d.name if d else code, "name_en": d.name_en if d else ""}

    return {
        "hall": {"name": hall.name, "name_en": hall.name_en},
        "number": view.number,
        "item": {"code": view.item, "name": item.name if item else view.item, "name_en": item.name_en if item else ""},
        "department": dept(view.department),
        "copied": [dept(c) for c in view.copied_departments],
        "applicant_name": view.applicant_name,
        "outcome": labels.words(labels.OUTCOME, view.outcome),
        "status": labels.words(labels.CASE_STATUS, view.status),
        "status_code": view.status.value,
        "number_label": labels.words(labels.NUMBER_KIND, view.number_kind),
        "date_label": labels.words(labels.NUMBER_DATE, view.number_kind),
        "reason": view.reason,
        # The department's own review body and court when the hall config names them (issue 14).
        "rights": appeal_rights(appeal_for(hall.department(view.department), hall.appeal))
        if view.contestable else None,
        # The day it counts as accepted, as the acceptance slip prints it (a receipt: its answer's day).
        "accepted_on": acceptance_day(stored.case, ZoneInfo(hall.timezone)).isoformat(),
        "promised": view.promised.isoformat() if view.promised else None,
        "days_left": days_left(svc, stored.case, today),
        "suspended": stored.case.suspended_since is not None,
        "missing": _materials(svc, stored, view.missing),
        "history": [
            {"status": labels.words(labels.CASE_STATUS, s), "at": _minute(iso(hall, at))}
            for s, at in view.history
        ],
    }


def appeal_rights(appeal: Appeal) -> dict[str, str]:
    """The applicant's remedies against a refusal or a denial: administrative review within 60 days
    (行政复议法 art. 20), a lawsuit within 6 months (行政诉讼法 art. 46). Named bodies when the hall
    config gives them, else the rights alone, which hold whoever the body is."""
    review = f"向{appeal.review_body}" if appeal.review_body else "依法"
    court = f"向{appeal.court}" if appeal.court else "依法"
    review_en = f" to {appeal.review_body_en or appeal.review_body}" if appeal.review_body else ""
    court_en = f" before {appeal.court_en or appeal.court}" if appeal.court else ""
    return {
        "zh": f"如对本决定不服，可以自收到决定之日起60日内{review}申请行政复议，"
        f"或者自收到决定之日起6个月内{court}提起行政诉讼。",
        "en": f"If you disagree with this decision, you may apply for administrative review{review_en} within "
        f"60 days of receiving it, or bring an administrative lawsuit{court_en} within 6 months of receiving it.",
    }


def _minute(stamp: str | None) -> str:
    return (stamp or "")[:16].replace("T", " ")
