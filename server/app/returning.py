"""The visitor who comes back with the missing papers (article 14): the notice (一次性告知) they
hold is the reference, found by its case number or by what its QR code carries, and their ticket
is for the notice's item, linked to it, so the window sees what was missing last time.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.core import case_access as access
from server.core import cases as core
from server.core import documents as documents_core
from server.core.case_errors import CaseNotFound
from server.core.errors import DomainError, NotFound
from server.core.throttle import Rule
from server.core.tickets import ACTIVE_AT_WINDOW
from server.core.windows import Staff
from server.db import cases_repo, documents_repo, tickets_repo, windows_repo
from server.db.cases_repo import StoredCase
from server.db.handles import Connection
from server.db.uow import Actor, UnitOfWork

from . import progress
from .context import Services

MAX_REFERENCE = 300
# What a printed document's QR code carries: `{public_url}/verify/{code}` (the document registry's
# verification page), or the progress page `{public_url}/case/{token}`.
_VERIFY = re.compile(r"/verify/([A-Za-z0-9-]{4,64})/?$")
_PROGRESS = re.compile(r"/case/([A-Za-z0-9_-]{8,64})/?$")


class NotANotice(DomainError):
    """case {number} is {status}, not a notice of missing materials (一次性告知). Told only to staff
    who may read the case (`notice_for`); the kiosk's lookup answers every miss alike (NoSuchNotice)."""

    kind = "conflict"
    code = "not_a_notice"
    zh = "该编号不是一次性告知书"


class NoSuchNotice(NotFound):
    """no such notice (一次性告知): check the number on the notice, or hold its QR code to the scanner"""

    zh = "没有找到该一次性告知书：请核对告知书上的编号，或扫描告知书上的二维码"


# A kiosk stands in the hall for one visitor after another: its failed notice lookups are counted
# per kiosk, so nobody at it can try case numbers one after another to learn which are notices.
# Ten free, then 30 s doubling to ten minutes, forgotten after an hour.
KIOSK_NOTICE = Rule(free=10, base=timedelta(seconds=30), cap=timedelta(minutes=10), forget=timedelta(hours=1))


def _case_of(conn: Connection, ref: str) -> StoredCase | None:
    """The case a reference names: a notice's QR code (its verification URL or the progress page's),
    its printed number (文号, scanned or pasted), or the case number as typed."""
    number: str | None = None
    if m := _VERIFY.search(ref):
        code = documents_core.canonical_code(m.group(1))
        doc = documents_repo.by_code(conn, code) if code else None
        number = doc.case_number if doc else None
    elif m := _PROGRESS.search(ref):
        return cases_repo.by_token(conn, m.group(1))
    elif (printed := documents_core.canonical_doc_number(ref)) is not None:
        doc = documents_repo.by_number(conn, printed)
        number = doc.case_number if doc else None
    else:
        try:
            number = core.canonical_case_number(ref)
        except DomainError:
            number = None
    return cases_repo.get(conn, number) if number else None


def resolve_notice_reference(svc: Services, text: str, device: str) -> str:
    """The number of the noticed case a visitor's reference names (see `_case_of`). Anything else,
    an unknown reference or a case that is no notice, is one answer (`NoSuchNotice`, 404) that says
    nothing of the case; failures are counted per kiosk `device` (server.app.progress's machinery:
    `TooManyLookups` past the allowance) and audited."""
    ref = "".join(unicodedata.normalize("NFKC", text or "").split())[:MAX_REFERENCE]

    def attempt(conn: Connection) -> str | None:
        stored = _case_of(conn, ref)
        return stored.number if stored is not None and stored.case.status is core.Status.NOTICED else None

    try:
        return progress.counted(svc, Actor("device", None, device[:64]), [("notice", device[:64])],
                                [KIOSK_NOTICE], attempt, ("notice.lookup_failed", device[:64], {"device": device}))
    except progress.Miss:
        raise NoSuchNotice() from None


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
