"""The visitor who comes back with the missing papers (article 14): the notice (一次性告知) they
hold is the reference, found by its case number or by what its QR code carries, and their ticket
is for the notice's item, linked to it, so the window sees what was missing last time.
"""

from __future__ import annotations

import re
import unicodedata

from server.core import cases as core
from server.core import documents as documents_core
from server.core.case_errors import CaseNotFound
from server.core.errors import DomainError
from server.db import cases_repo, documents_repo
from server.db.cases_repo import StoredCase

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
