"""One-window acceptance (一窗受理, articles 12-14): a window finishes a service with an outcome.

`finish` goes through `window_ops.finish`, whose `on_finish` hook runs inside the finishing
transaction, so the ticket's end, the case, its history, its outbox row for the platform and the
printed document's job commit together or not at all.

- accepted (受理): a case, status accepted, promised date in working days; prints the 受理单 with
  the promised date and a QR code of the progress page.
- notice (一次性告知): a case, status noticed, with the missing materials; prints the 一次性告知书
  listing every missing material at once.
- refused (不予受理): a case, status refused, with its reason; prints the 不予受理决定书 stating the
  rights to 行政复议 (60 days) and 行政诉讼 (6 months), naming the review body and the court.
- concluded (当场办结): a case, status concluded, promised today; prints a 当场办结单 dated today.
- received (收件): a case, status received, its completeness answer due within the hall's
  `[case_clock] receipt_days` working days (article 14); prints the 收件凭证 with that date, and
  is answered later by acceptance or a notice (`case_clock.answer_received`).

A ticket taken for a notice (`follows_case`, the returning visitor) passes the notice's number
on to the case it opens (`follows`).
- consulted (咨询): nothing, a consultation carries no application.

Every paper goes through `documents.issue` (numbered, with a verification code, registered for
preview and reprint). The window's printer is `hallq window set-printer WINDOW URL` if set, else
the hall config's `printer` of the window; the page layout is the hall's first printer profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.core import cases as core
from server.core import intake
from server.core import tickets as tk
from server.core.case_errors import ApplicantRequired
from server.core.errors import Invalid, NotFound
from server.core.hall import Window
from server.core.tickets import Ticket
from server.core.windows import Staff
from server.db import cases_repo, print_jobs_repo, tickets_repo
from server.db.uow import Actor, UnitOfWork

from . import cases, documents, window_ops
from .allocated import current_hall
from .context import Services
from .document_fields import OUTCOME_KIND
from .workcal import hall_calendar

OPENS_CASE = {"accepted", "received", "notice", "refused", "concluded"}


@dataclass(frozen=True)
class CaseRequest:
    """What the window states about a service that opens a case, as the finish request gives it."""

    outcome: core.Outcome
    applicant: Mapping[str, str]  # name, id_number, phone: read and validated as `core.Applicant`
    materials: tuple[str, ...]  # codes received
    missing: tuple[str, ...]  # codes the notice lists
    reason: str  # of a refusal
    note: str  # the staff's own, kept with the case
    item: str | None  # the item served, when not the ticket's


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
            raise Invalid(f"unknown outcome {outcome!r}; use accepted, received, notice, refused, concluded "
                          "or consulted")
        result = window_ops.finish(svc, staff, w.id, tk.Outcome(outcome) if outcome else None)
        return {**result, "case": None}
    if applicant is None:
        raise ApplicantRequired(outcome=outcome)
    asked = CaseRequest(
        outcome=core.Outcome(outcome), applicant=applicant, materials=tuple(materials or ()),
        missing=tuple(missing or ()), reason=reason, note=note, item=item,
    )

    def open_case(uow: UnitOfWork, ticket: Ticket) -> dict[str, Any]:
        return _open_case(svc, uow, staff, w, ticket, asked)

    result = window_ops.finish(svc, staff, w.id, tk.Outcome(outcome), on_finish=open_case, item=item)
    result.setdefault("case", None)
    return result


def _open_case(
    svc: Services, uow: UnitOfWork, staff: Staff, w: Window, ticket: Ticket, asked: CaseRequest
) -> dict[str, Any]:
    hall = current_hall(svc, uow)  # the item's queue as allocated now
    # The lists first, then the applicant, then the case: a request with several faults is told the first.
    item = intake.item_served(hall, w, ticket, asked.item)
    intake.check_materials(item, asked.materials, asked.missing)
    a = asked.applicant
    person = core.Applicant(a.get("name", ""), a.get("id_number", ""), a.get("phone", ""))
    at = uow.now.astimezone(ZoneInfo(hall.timezone))
    seq = cases_repo.next_case_seq(uow.conn, item.department, at.year)
    case = core.open_case(
        hall=hall.code, item=item, outcome=asked.outcome, seq=seq, applicant=person, materials=asked.materials,
        at=at, actor=staff.username, calendar=hall_calendar(hall), missing=asked.missing, reason=asked.reason,
        receipt_days=hall.case_clock.receipt_days, follows=ticket.follows_case,
    )
    token = cases.new_token()
    cases_repo.add(uow.conn, case, token=token, ticket_id=ticket.id, window=w.id, opened_by=staff.id,
                   note=asked.note.strip(), now=uow.now,
                   material_names=cases.material_names(item, (*case.materials, *case.missing)))
    tickets_repo.link_case(uow.conn, ticket.id, case.number)
    stored = cases.announce(svc, uow, case.number, "case.opened", {
        "kind": "opened", "outcome": asked.outcome.value, "status": case.status.value, "window": w.id,
        "by": staff.username, "ticket": ticket.number,
    })
    # The paper of the outcome (document_fields.OUTCOME_KIND), numbered, verifiable, at this window.
    # A receipt (收件凭证) states the day its completeness answer is due.
    extra = {"due_on": case.promised} if asked.outcome is core.Outcome.RECEIVED else None
    issued = documents.issue(svc, uow, stored, OUTCOME_KIND[asked.outcome], window=w, extra=extra)
    printed = issued["print"]
    view = cases.response_view(svc, stored)
    return {
        "case": case.number,
        "case_status": case.status.value,
        "print_job": printed.get("job"),
        "view": {"case": view, "print": printed, "document": issued["document"]},
    }


# --- the window's printer ----------------------------------------------------------------------------


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
