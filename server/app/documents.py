"""Every decision in writing, verifiable, and visible before it is torn off (issue 14).

`issue` is the one way a case's paper comes out: it takes the document's number (文号) from the
department's counter for its kind and year, draws a verification code, registers the document with
the fields its layout is built from, renders it and queues it on the window's printer, all in the
caller's transaction. The registry then serves the case's list of documents, a PNG preview drawn
from the same blocks the printer gets, a reprint, and the public `/verify/{code}` check.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from server.core import case_access as access
from server.core import documents as core
from server.core import windows as win
from server.core.case_errors import CaseNotFound
from server.core.errors import DomainError, Forbidden, Invalid, NotFound
from server.core.hall import Window
from server.core.masking import mask_name
from server.core.windows import Role, Staff
from server.db import cases_repo, documents_repo, print_jobs_repo, windows_repo
from server.db.cases_repo import StoredCase
from server.db.documents_repo import StoredDocument
from server.db.uow import Actor, UnitOfWork

from . import allocated, document_fields
from .context import Services

log = logging.getLogger("hallq.documents")


def verify_url(svc: Services, code: str) -> str:
    return f"{svc.hall.public_url.rstrip('/')}/verify/{core.grouped(code)}"


def issue(
    svc: Services,
    uow: UnitOfWork,
    stored: StoredCase,
    kind: str,
    *,
    window: Window | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Register, render and queue one document of the case, in the caller's transaction.

    `window`: whose printer prints it; None is the window that opened the case (`stored.window`).
    Returns `{"document": {id, kind, kind_label, number, verify_code, verify_url, issued_on},
    "print": {job, printer, kind, error}}`; a window without a printer or a render failure does not
    stop the caller's change (`print.error` says what happened, the document stays registered and
    can be reprinted).

    `extra`, per kind (dates as `date` or ISO strings):
    - refusal: `legal_basis` (optional; default 行政许可法 art. 32).
    - approval: `legal_basis` (default: the item guide's), `note`.
    - denial: `legal_basis` (required), `reason` (default: the case's reason).
    - received (收件凭证): `due_on` (required: the completeness answer's due date), `received_on`
      (default: the case's accepted_on), `materials` (codes; default the case's).
    - extension (延长审批期限告知书): `previous_promised`, `promised`, `reason`, `legal_basis`,
      `approved_by` (the chief who approved it), all required.
    - suspension (特别程序告知书): `procedure` (专家评审, 听证, 公示 ...), `reason`, `started_on`,
      required; `legal_basis` optional; on resume also `resumed_on` and the new `promised`.
    A missing required key is a ValueError: the caller's change is wrong, not the printer.
    """
    k = core.kind_of(kind)
    case, hall = stored.case, svc.hall
    own = document_fields.fields(svc, stored, kind, extra or {}, allocated.current_hall(svc, uow))
    dept = hall.department(case.department)
    today = uow.now.astimezone(ZoneInfo(hall.timezone)).date()
    n = documents_repo.next_number(uow.conn, core.counter_name(case.department, k, today.year))
    number = core.format_number(hall.code, core.doc_prefix(dept, case.department), k, today.year, n)
    code = core.new_code()
    w = window or (hall.window(stored.window) if stored.window else None)
    fields = {**_common(svc, stored, k, number, code, today, w), **own}
    doc_id = documents_repo.add(
        uow.conn, case_number=case.number, kind=kind, number=number, department=case.department, issued_on=today,
        issued_at=uow.now, verify_code=code, fields=fields, window=w.id if w else None, issued_by=uow.actor.name,
    )
    # Part of the caller's change (a case opened, decided, extended), named by it in the audit log.
    uow.audit_also("documents", {"id": doc_id, "number": number, "kind": kind, "window": w.id if w else None})
    doc = documents_repo.get(uow.conn, doc_id)
    assert doc is not None
    return {"document": brief(svc, doc), "print": _queue(svc, uow, w, doc)}


def _common(svc: Services, stored: StoredCase, k: core.Kind, number: str, code: str, today: date,
            w: Window | None) -> dict[str, Any]:
    case, hall = stored.case, svc.hall
    dept = hall.department(case.department)
    item = hall.item(case.item)
    appeal = core.appeal_for(dept, hall.appeal)
    return {
        "hall_name": hall.name,
        "title": k.label,
        "title_en": k.label_en,
        "number": number,
        "department": dept.name if dept else case.department,
        # Documents handed to the applicant carry the full name; screens mask it.
        "applicant_name": case.applicant.name,
        "case_number": case.number,
        "item": item.name if item else case.item,
        "issued_on": today.isoformat(),
        "seal": core.seal_name(dept, case.department),
        "verify_code": core.grouped(code),
        "verify_url": verify_url(svc, code),
        "window": w.name if w else "",
        "review_body": appeal.review_body,
        "review_body_en": appeal.review_body_en,
        "court": appeal.court,
        "court_en": appeal.court_en,
    }


def brief(svc: Services, doc: StoredDocument, *, identity: bool = True) -> dict[str, Any]:
    """The document as listed. `identity`: whether the caller sees the applicant's identity; the
    paper carries the full name, so without it there is no preview to fetch (`preview_url` null)."""
    k = core.KINDS.get(doc.kind)
    return {
        "id": doc.id,
        "kind": doc.kind,
        "kind_label": k.label if k else doc.kind,
        "kind_label_en": k.label_en if k else doc.kind,
        "number": doc.number,
        "case": doc.case_number,
        "verify_code": core.grouped(doc.verify_code),
        "verify_url": verify_url(svc, doc.verify_code),
        "issued_on": doc.issued_on.isoformat(),
        "window": doc.window,
        "preview_url": f"/api/v1/documents/{doc.id}/preview.png" if identity else None,
    }


def build(svc: Services, doc: StoredDocument, paper_mm: int | None = None) -> Any:
    """The document's blocks (printers.document.Document), as the printer gets them."""
    from printers.legal_docs import document

    return document(doc.kind, paper_mm=paper_mm or svc.hall.printer_profiles[0].paper_mm, **doc.fields)


def _queue(svc: Services, uow: UnitOfWork, w: Window | None, doc: StoredDocument) -> dict[str, Any]:
    url = (print_jobs_repo.window_printer_override(uow.conn, w.id) or w.printer) if w else None
    if not url:
        where = w.name if w else "no window"
        return {"job": None, "printer": None, "kind": doc.kind,
                "error": f"{where} has no printer; set one with hallq window set-printer"}
    # The boundary with the renderers (qrcode, python-escpos, the layout's own checks), whose
    # failures share no type: whatever fails is logged and the change stands, its answer naming it.
    try:
        from printers.escpos_render import render

        profile = svc.hall.printer_profiles[0]
        data = render(build(svc, doc, profile.paper_mm), profile)
    except Exception as exc:
        log.exception("could not render document %s of case %s", doc.number, doc.case_number)
        return {"job": None, "printer": url, "kind": doc.kind, "error": f"the {doc.kind} could not be rendered: {exc}"}
    job = print_jobs_repo.enqueue_print(uow.conn, url, data, doc.kind, doc.case_number, now=uow.now)
    # The paper is in the visitor's hand sooner when the spooler need not wait for its next round.
    uow.after_commit(lambda _committed: svc.printers.wake(url))
    return {"job": job, "printer": url, "kind": doc.kind, "error": None}


# --- reading, previewing, reprinting ----------------------------------------------------------------


class PaperNeedsIdentity(Forbidden):
    """a document carries the applicant's full name: only the case's window staff and its department's chief
    representative may preview or reprint it; managers see the case with the name masked"""

    zh = "文书载有申请人完整姓名，仅本办件的窗口人员和本部门首席代表可预览或补打；管理人员只能查看隐去姓名的办件"


def _paper(svc: Services, staff: Staff, uow: UnitOfWork, doc_id: int) -> StoredDocument:
    """The document, for a caller who may see the applicant's identity on it (case_access.sees_identity,
    the rule the case's own view masks the name by): the paper is not masked."""
    doc = documents_repo.get(uow.conn, doc_id)
    stored = cases_repo.get(uow.conn, doc.case_number) if doc else None
    if doc is None or stored is None:
        raise NotFound(f"no document {doc_id}", zh="未找到该文书")
    access.require_read(staff, stored.case, stored.opened_by)
    if not access.sees_identity(staff, stored.case, stored.opened_by):
        raise PaperNeedsIdentity()
    return doc


def for_case(svc: Services, staff: Staff, number: str) -> dict[str, Any]:
    from server.core import cases as case_core

    number = case_core.canonical_case_number(number)
    with svc.read() as uow:
        stored = cases_repo.get(uow.conn, number)
        if stored is None:
            raise CaseNotFound(number)
        access.require_read(staff, stored.case, stored.opened_by)
        identity = access.sees_identity(staff, stored.case, stored.opened_by)
        docs = documents_repo.for_case(uow.conn, number)
    return {"case": number, "documents": [brief(svc, d, identity=identity) for d in docs]}


class PreviewUnavailable(DomainError):
    """The server cannot draw the preview: {why}"""

    kind = "unavailable"
    code = "preview_unavailable"
    zh = "服务器缺少中文字体，无法生成预览"


def preview_png(svc: Services, staff: Staff, doc_id: int) -> bytes:
    """The document as a PNG, drawn from the blocks the printer gets (printers.preview)."""
    from printers.preview import FontMissing, to_png

    with svc.read() as uow:
        doc = _paper(svc, staff, uow, doc_id)
    try:
        return to_png(build(svc, doc))
    except FontMissing as exc:
        raise PreviewUnavailable(why=str(exc)) from None
    except ValueError as exc:  # a layout refusing its fields, e.g. a QR of a non-absolute public_url
        raise PreviewUnavailable(why=f"the paper cannot be drawn: {exc} (check the hall's public_url)",
                                 zh=f"文书无法绘制预览，请检查大厅配置（public_url 须为 http(s):// 完整网址）：{exc}",
                                 ) from None


def reprint(svc: Services, staff: Staff, doc_id: int, window_id: str | None) -> dict[str, Any]:
    """Queue the document again on the printer of a window the staff holds (or, for a chief
    representative, oversees): the one named, else the one they are signed in at. Only for who may
    see the applicant's identity (the paper is not masked): never a manager or the admin. Audited."""
    hall = svc.hall
    with svc.write(Actor("staff", staff.id, staff.username)) as uow:
        doc = _paper(svc, staff, uow, doc_id)
        if window_id is None:
            held = [w for w, state in windows_repo.all_states(uow.conn).items() if state.staff_id == staff.id]
            if not held:
                raise Invalid("you are signed in at no window; name the window whose printer reprints it",
                              zh="您未在任何窗口值守，请指定补打的窗口")
            window_id = held[0]
        w = hall.window(str(window_id))
        if w is None:
            raise NotFound(f"unknown window {window_id!r}", zh="未找到该窗口")
        at_it = windows_repo.get(uow.conn, w.id).staff_id == staff.id
        if not at_it and not (staff.role is Role.CHIEF and win.may_oversee(w, staff)):
            raise Forbidden(f"{staff.username}不在{w.name}值守 / {staff.username} is not signed in at {w.name_en}")
        printed = _queue(svc, uow, w, doc)
        uow.audit("document.reprint", doc.number, case=doc.case_number, document=doc.id, window=w.id,
                  job=printed["job"])
        svc.commit(uow)
    return {"document": brief(svc, doc), "print": printed}


# --- the public check ----------------------------------------------------------------------------


def verify(svc: Services, text: str) -> dict[str, Any] | None:
    """What /verify shows of a genuine document: its kind, number, department, date, the case and
    the applicant masked. None for a code that is malformed or unknown alike."""
    code = core.canonical_code(text)
    if code is None:
        return None
    with svc.read() as uow:
        doc = documents_repo.by_code(uow.conn, code)
    if doc is None:
        return None
    k = core.KINDS.get(doc.kind)
    dept = svc.hall.department(doc.department)
    return {
        "genuine": True,
        "kind": doc.kind,
        "kind_label": k.label if k else doc.kind,
        "kind_label_en": k.label_en if k else doc.kind,
        "number": doc.number,
        "department": {"code": doc.department, "name": dept.name if dept else doc.department,
                       "name_en": dept.name_en if dept else ""},
        "issued_on": doc.issued_on.isoformat(),
        "case": doc.case_number,
        "applicant": mask_name(str(doc.fields.get("applicant_name", ""))),
        "verify_code": core.grouped(doc.verify_code),
    }
