"""The visitor who comes back with the missing papers (article 14): the notice (一次性告知) they
hold is the reference, found by its case number or by what its QR code carries, and their ticket
is for the notice's item, linked to it, so the window sees what was missing last time.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from server.core import case_access as access
from server.core import cases as core
from server.core import documents as documents_core
from server.core.case_errors import CaseNotFound
from server.core.errors import DomainError
from server.core.tickets import ACTIVE_AT_WINDOW
from server.core.windows import Staff
from server.db import cases_repo, documents_repo, tickets_repo, windows_repo
from server.db.cases_repo import StoredCase
from server.db.uow import UnitOfWork

from .context import Services

MAX_REFERENCE = 300
# What a printed document's QR code carries: `{public_url}/verify/{code}` (the document registry's
# verification page), or the progress page `{public_url}/case/{token}`.
_VERIFY = re.compile(r"/verify/([A-Za-z0-9-]{4,64})/?$")
_PROGRESS = re.compile(r"/case/([A-Za-z0-9_-]{8,64})/?$")


class NotANotice(DomainError):
    """case {number} is {status}, not a notice of missing materials (一次性告知): a returning visitor
    brings the notice they were given"""

    kind = "conflict"
    code = "not_a_notice"
    zh = "该编号不是一次性告知书，请出示补正告知书"


def case_by_verify_code(svc: Services, text: str) -> str | None:
    """The case number of the document whose verification code this is (the document registry's
    `documents_repo.by_code`); None for a code that is malformed or unknown alike."""
    code = documents_core.canonical_code(text)
    if code is None:
        return None
    with svc.read() as uow:
        doc = documents_repo.by_code(uow.conn, code)
    return doc.case_number if doc else None


def resolve_notice_reference(svc: Services, text: str) -> str:
    """The number of the noticed case a visitor's reference names: its number as typed, or the URL
    a notice's QR code carries. Unknown: `CaseNotFound` (404); a case that is no notice:
    `NotANotice` (409)."""
    ref = "".join(unicodedata.normalize("NFKC", text or "").split())[:MAX_REFERENCE]
    stored: StoredCase | None = None
    if m := _VERIFY.search(ref):
        number = case_by_verify_code(svc, m.group(1))
        if number is None:
            raise CaseNotFound(m.group(1))
        stored = _get(svc, number)
    elif m := _PROGRESS.search(ref):
        with svc.read() as uow:
            stored = cases_repo.by_token(uow.conn, m.group(1))
        if stored is None:
            raise CaseNotFound("(QR code)")
    else:
        stored = _get(svc, core.canonical_case_number(ref))
    if stored.case.status is not core.Status.NOTICED:
        raise NotANotice(number=stored.number, status=stored.case.status.value)
    return stored.number


def _get(svc: Services, number: str) -> StoredCase:
    with svc.read() as uow:
        stored = cases_repo.get(uow.conn, number)
    if stored is None:
        raise CaseNotFound(number)
    return stored


def notice_item(svc: Services, number: str) -> str:
    """The item a notice was given for: the returning visitor's ticket is for it."""
    return _get(svc, number).case.item


# --- what the window serving the returning visitor reads ------------------------------------------


def _serves_a_follower(uow: UnitOfWork, staff: Staff, number: str) -> bool:
    """`staff` is at a window whose current ticket (called or in service) follows the notice `number`."""
    for state in windows_repo.all_states(uow.conn).values():
        if state.staff_id != staff.id or not state.current_ticket:
            continue
        t = tickets_repo.get(uow.conn, state.current_ticket)
        if t is not None and t.status in ACTIVE_AT_WINDOW and t.follows_case == number:
            return True
    return False


def notice_for_window(svc: Services, staff: Staff, number: str) -> dict[str, Any]:
    """What the console shows for a returning visitor: the notice's number, date, item, missing
    materials and the note it gave, and nothing of the applicant. Readable by whoever may read
    the case, and by the member of staff now serving a ticket that follows it (a proxy window's
    generalist, 综合代理窗口, who may read only the cases they opened)."""
    from .cases import _materials  # cases imports this module's neighbours; kept local

    number = core.canonical_case_number(number)
    with svc.read() as uow:
        stored = cases_repo.get(uow.conn, number)
        if stored is None:
            raise CaseNotFound(number)
        if not access.may_read(staff, stored.case, stored.opened_by) and not _serves_a_follower(uow, staff, number):
            access.require_read(staff, stored.case, stored.opened_by)
    case = stored.case
    if case.status is not core.Status.NOTICED:
        raise NotANotice(number=number, status=case.status.value)
    given = next(c for c in reversed(case.history) if c.status is core.Status.NOTICED)
    # The 说明 the paper printed: a receipt's answer's own note, else the window visit's.
    note = given.note if given.previous is core.Status.RECEIVED else stored.note
    item = svc.hall.item(case.item)
    return {
        "number": number, "item": case.item, "item_name": item.name if item else case.item,
        "item_name_en": item.name_en if item else "",
        "noticed_on": given.at.astimezone(ZoneInfo(svc.hall.timezone)).date().isoformat(),
        "missing": _materials(svc, stored, case.missing), "reason": note,
    }
