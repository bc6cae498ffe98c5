"""One-window acceptance (一窗受理, articles 12-14): a window finishes a service with an outcome.

`finish` goes through `window_ops.finish`, whose `on_finish` hook runs inside the finishing
transaction, so the ticket's end, the case, its history, its outbox row for the platform and the
printed document's job commit together or not at all.

- accepted (受理): a case, status accepted, promised date in working days; prints the 受理单 with
  the promised date and a QR code of the progress page.
- notice (一次性告知): a case, status noticed, with the missing materials; prints the 一次性告知书
  listing every missing material at once.
- refused (不予受理): a case, status refused, with its reason; prints the 不予受理决定书 stating the
  rights to 行政复议 (60 days) and 行政诉讼 (6 months).
- concluded (当场办结): a case, status concluded, promised today; prints a 受理单 dated today.
- consulted (咨询): nothing, a consultation carries no application.

The window's printer is `hallq window set-printer WINDOW URL` if set, else the hall config's
`printer` of the window; the page layout is the hall's first printer profile.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from server.core import calling
from server.core import cases as core
from server.core import tickets as tk
from server.core.errors import Invalid, NotFound
from server.core.hall import Hall, Item, Window
from server.core.tickets import Ticket
from server.core.windows import Staff
from server.db import cases_repo, print_jobs_repo, tickets_repo
from server.db.cases_repo import StoredCase
from server.db.uow import Actor, UnitOfWork

from . import cases, window_ops
from .cases import CaseRuleError, translate
from .context import Services
from .workcal import hall_calendar

log = logging.getLogger("hallq.acceptance")

OPENS_CASE = {"accepted", "notice", "refused", "concluded"}


def finish(
    svc: Services,
    staff: Staff,
    window_id: str,
    *,
    outcome: str | None,
    applicant: dict[str, str] | None = None,
    materials: list[str] | None = None,
    missing: list[str] | None = None,
    reason: str = "",
    note: str = "",
    item: str | None = None,
) -> dict[str, Any]:
    """Finish the window's current ticket; returns `{"ticket": T, "case": C or None, "print": P}`."""
    w = window_ops.window_of(svc, window_id)
    if outcome not in OPENS_CASE:
        if outcome is not None and outcome != "consulted":
            raise Invalid(f"unknown outcome {outcome!r}; use accepted, notice, refused, concluded or consulted")
        result = window_ops.finish(svc, staff, w.id, tk.Outcome(outcome) if outcome else None)
        return {**result, "case": None}
    if applicant is None:
        raise CaseRuleError(
            f'outcome {outcome} opens a case: give "applicant": {{"name", "id_number", "phone"}}', "applicant_required"
        )

    def open_case(uow: UnitOfWork, ticket: Ticket) -> dict[str, Any]:
        return _open_case(
            svc, uow, staff, w, ticket, outcome=outcome, applicant=applicant, materials=materials or [],
            missing=missing or [], reason=reason, note=note, item_code=item,
        )

    result = window_ops.finish(svc, staff, w.id, tk.Outcome(outcome), on_finish=open_case)
    result.setdefault("case", None)
    return result


def resolve_item(hall: Hall, w: Window, ticket: Ticket, item_code: str | None) -> Item:
    """The item the service was for: the one given (a visitor may have taken a number for a
    neighbouring item), else the ticket's."""
    code = item_code or ticket.item
    if not code:
        served = ", ".join(i.code for i in hall.items_of_queue(ticket.queue))
        raise CaseRuleError(
            f'ticket {ticket.number} was taken for queue {ticket.queue}, not an item: give "item" '
            f"(one of {served})", "item_required",
        )
    found = hall.item(code)
    if found is None:
        raise NotFound(f"unknown item {code!r}")
    # The item, even the ticket's own (a ticket transferred here keeps its first item), must be
    # one this window serves: a case opened elsewhere would show another department the applicant.
    calling.require_item_here(hall, w, found)
    return found


def check_materials(item: Item, field: str, codes: list[str]) -> None:
    unknown = [c for c in dict.fromkeys(codes) if item.material(c) is None]
    if unknown:
        known = ", ".join(m.code for m in item.guide.materials) or "none"
        listed = ", ".join(f'"{c}"' for c in unknown)
        raise CaseRuleError(
            f"{field}: unknown material code{'s' if len(unknown) > 1 else ''} {listed} for item {item.code} "
            f"({item.name}); its materials are {known}", "unknown_material",
        )


def _open_case(
    svc: Services,
    uow: UnitOfWork,
    staff: Staff,
    w: Window,
    ticket: Ticket,
    *,
    outcome: str,
    applicant: dict[str, str],
    materials: list[str],
    missing: list[str],
    reason: str,
    note: str,
    item_code: str | None,
) -> dict[str, Any]:
    hall = svc.hall
    item = resolve_item(hall, w, ticket, item_code)
    check_materials(item, "materials", materials)
    check_materials(item, "missing", missing)
    both = sorted(set(materials) & set(missing))
    if both:
        raise CaseRuleError(f"material {', '.join(both)} cannot be both received and missing", "invalid_materials")
    try:
        person = core.Applicant(applicant.get("name", ""), applicant.get("id_number", ""), applicant.get("phone", ""))
    except Exception as exc:  # noqa: BLE001 - translated into the error naming the field
        raise translate(exc) from None
    at = uow.now.astimezone(ZoneInfo(hall.timezone))
    seq = cases_repo.next_case_seq(uow.conn, item.department, at.year)
    try:
        case = core.open_case(
            item=item, outcome=core.Outcome(outcome), seq=seq, applicant=person, materials=materials, at=at,
            actor=staff.username, calendar=hall_calendar(hall), missing=missing, reason=reason,
        )
    except Exception as exc:  # noqa: BLE001
        raise translate(exc, "reason" if isinstance(exc, core.MissingReason) else "") from None
    token = cases.new_token()
    cases_repo.add(uow.conn, case, token=token, ticket_id=ticket.id, window=w.id, opened_by=staff.id,
                   note=note.strip(), now=uow.now)
    tickets_repo.link_case(uow.conn, ticket.id, case.number)
    stored = cases.announce(svc, uow, case.number, "case.opened", {
        "kind": "opened", "outcome": outcome, "status": case.status.value, "window": w.id, "by": staff.username,
        "ticket": ticket.number,
    })
    printed = print_document(svc, uow, w, stored, item)
    view = cases.response_view(svc, stored)
    return {
        "case": case.number,
        "case_status": case.status.value,
        "print_job": printed.get("job"),
        "view": {"case": view, "print": printed},
    }


# --- printing ---------------------------------------------------------------------------------------


def window_printer(svc: Services, conn: Any, w: Window) -> str | None:
    return print_jobs_repo.window_printer_override(conn, w.id) or w.printer


def _material_lines(item: Item, codes: tuple[str, ...]) -> list[str]:
    lines = []
    for code in codes:
        m = item.material(code)
        if m is None:
            lines.append(code)
            continue
        extra = "；".join(x for x in (m.copies, m.note) if x)
        lines.append(f"{m.name}（{extra}）" if extra else m.name)
    return lines


def slip_fields(svc: Services, w: Window, stored: StoredCase, item: Item) -> tuple[str, dict[str, Any]]:
    """The printed document's kind and the builder's fields (printers.layout) for a case."""
    case, hall = stored.case, svc.hall
    dept = hall.department(case.department)
    dept_name = dept.name if dept else case.department
    if case.outcome in (core.Outcome.ACCEPTED, core.Outcome.CONCLUDED):
        return "acceptance", {
            "hall_name": hall.name,
            "case_number": case.number,
            "item": item.name,
            "applicant_name": case.applicant.name,
            "materials_received": _material_lines(item, case.materials),
            "accepted_on": case.accepted_on,
            "promised_on": case.promised or case.accepted_on,
            "progress_url": cases.progress_url(svc, stored.token),
            "department": dept_name,
            "window": w.name,
        }
    if case.outcome is core.Outcome.NOTICE:
        return "one_time_notice", {
            "hall_name": hall.name,
            "item": item.name,
            "applicant_name": case.applicant.name,
            "missing_materials": _material_lines(item, case.missing),
            "issued_on": case.accepted_on,
            "note": stored.note,
            "case_number": case.number,
            "department": dept_name,
            "window": w.name,
            "contact": item.guide.contact,
        }
    return "refusal", {
        "hall_name": hall.name,
        "case_number": case.number,
        "item": item.name,
        "applicant_name": case.applicant.name,
        "reason": case.reason,
        "decided_on": case.accepted_on,
        "authority": dept_name,
    }


def print_document(svc: Services, uow: UnitOfWork, w: Window, stored: StoredCase, item: Item) -> dict[str, Any]:
    """Render the case's document and queue it for the window's printer, in this transaction.

    A window without a printer, or a document that fails to render, does not stop the case: the
    answer says so (`print.error`) and the console can tell the staff to hand-write or reprint."""
    url = window_printer(svc, uow.conn, w)
    if not url:
        error = f"{w.name} has no printer; set one with hallq window set-printer"
        return {"job": None, "printer": None, "error": error}
    kind, fields = slip_fields(svc, w, stored, item)
    try:
        from printers.escpos_render import render
        from printers.layout import slip_document

        profile = svc.hall.printer_profiles[0]
        data = render(slip_document(kind, paper_mm=profile.paper_mm, **fields), profile)
    except Exception as exc:  # noqa: BLE001 - logged; the case stands and the answer names the problem
        log.exception("could not render the %s of case %s", kind, stored.number)
        return {"job": None, "printer": url, "kind": kind, "error": f"the {kind} could not be rendered: {exc}"}
    job = print_jobs_repo.enqueue_print(uow.conn, url, data, kind, stored.number, now=uow.now)
    return {"job": job, "printer": url, "kind": kind, "error": None}


def set_window_printer(svc: Services, actor: Actor, window_id: str, url: str | None) -> str | None:
    """`hallq window set-printer`: the window's printer from now on; None goes back to the config's."""
    w = svc.hall.window(str(window_id))
    if w is None:
        known = ", ".join(x.id for x in svc.hall.windows)
        raise NotFound(f"unknown window {window_id!r}; the hall config lists {known}")
    if url:
        from printers.urls import parse_printer_url

        url = str(parse_printer_url(url))
    with svc.write(actor) as uow:
        print_jobs_repo.set_window_printer(uow.conn, w.id, url or None, uow.now)
        uow.audit("window.set_printer", w.id, printer=url or None, config_printer=w.printer)
        svc.commit(uow)
    return url or w.printer
