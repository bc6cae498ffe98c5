"""Case changes told to the applicant: the outbox's "applicant" destination, an SMS gateway's
webhook (`HALLQ_APPLICANT_WEBHOOK`; docs/notifications.md).

One `applicant.notify` row per change the applicant should hear of (server/core/applicant_messages.py:
not article 16 warnings), written in the transaction of the change, like the platform's. Queued
only when the hall has a gateway (`Services.notify_applicants`): a hall without one would pile up
rows nobody will ever send, and a gateway set later starts with the changes made after it.
"""

from __future__ import annotations

from typing import Any

from server.core.applicant_messages import message
from server.db.cases_repo import StoredCase
from server.db.uow import UnitOfWork

from . import outbox
from .context import Services

EVENT = "applicant.notify"


def notify(svc: Services, uow: UnitOfWork, stored: StoredCase, event: str, change: dict[str, Any],
           url: str) -> str | None:
    """Queue the applicant's message for this change; its idempotency key, or None when nothing
    is sent (no gateway, or nothing the applicant is told)."""
    if not svc.notify_applicants:
        return None
    case = stored.case
    said = message(event, change, number=case.number, status=case.status.value,
                   promised=case.promised.isoformat() if case.promised else None, url=url)
    if said is None:
        return None
    return outbox.record(svc, uow, case.number, EVENT, {
        "case_number": case.number,
        "phone": case.applicant.phone,
        "template": said.template,
        "text": {"zh": said.zh, "en": said.en},
        "progress_url": url,
        "status": case.status.value,
        "version": stored.version,
        "sign": svc.hall.name,
    }, destination=outbox.APPLICANT)
