"""The words for every status and outcome, Chinese first and English second, written once.

The server hands these to every face (`status_label`, `outcome_label` as `{"zh", "en"}`), to the
progress page and to its own messages, so a screen never keeps a table of its own that could
drift from this one (as the console's case statuses once did: 待补正材料 against 已一次性告知).
Keys are the values of the enums (`tickets.Status`, `cases.Status`, `cases.Outcome`): a `StrEnum`
member looks its words up directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Label = tuple[str, str]  # (中文, English)

TICKET_STATUS: Mapping[str, Label] = MappingProxyType({
    "waiting": ("等候中", "Waiting"),
    "called": ("已叫号", "Called"),
    "serving": ("办理中", "Serving"),
    "suspended": ("已挂起", "Suspended"),
    "done": ("已办结", "Done"),
    "no_show": ("已记为未到", "No-show"),
    "cancelled": ("已作废", "Cancelled"),
})

CASE_STATUS: Mapping[str, Label] = MappingProxyType({
    "received": ("已收件待审查", "Received, under completeness review"),
    "accepted": ("已受理", "Accepted"),
    "in_review": ("审查中", "In review"),
    "decided_approved": ("已批准", "Approved"),
    "decided_denied": ("不予批准", "Not approved"),
    "delivered": ("已送达", "Delivered"),
    # Terminal: the applicant comes back with the listed materials as a new application.
    "noticed": ("已一次性告知", "Notified of missing materials"),
    "refused": ("不予受理", "Not accepted"),
    "concluded": ("当场办结", "Concluded on the spot"),
})

# How a window service ended, on a ticket (all five) and on the case it opened (all but consulted).
OUTCOME: Mapping[str, Label] = MappingProxyType({
    "accepted": ("受理", "Accepted"),
    "received": ("收件", "Received for review"),
    "notice": ("一次性告知", "Notice of missing materials"),
    "refused": ("不予受理", "Not accepted"),
    "concluded": ("当场办结", "Concluded on the spot"),
    "consulted": ("咨询", "Consultation"),
})

# What a case number records (cases.NumberKind), and the day beside it, on the progress page.
NUMBER_KIND: Mapping[str, Label] = MappingProxyType({
    "acceptance": ("受理编号", "Acceptance number"),
    "record": ("登记编号", "Record number"),
})
NUMBER_DATE: Mapping[str, Label] = MappingProxyType({
    "acceptance": ("受理日期", "Accepted on"),
    "record": ("办理日期", "Date at the window"),
})


def words(table: Mapping[str, Label], code: str) -> Label:
    """The label of `code`, or the code itself in both languages for one no table knows (a value
    a newer server wrote, read by an older one), so a screen shows something rather than nothing."""
    return table.get(code, (code, code))


def label(table: Mapping[str, Label], code: str) -> dict[str, str]:
    """As the API carries it: `{"zh": ..., "en": ...}`."""
    zh, en = words(table, code)
    return {"zh": zh, "en": en}
