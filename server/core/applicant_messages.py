"""What the applicant is told of a case change, by SMS (article 21: results fed back).

One message per change the applicant should hear of: the case opened (whatever the outcome),
its status moved (in review, decided, delivered), a receipt answered (accepted, with the promise;
or a notice), the case clock's changes the applicant must know (an extension approved, with the new
date; a suspension, with its ground; the clock running again, with the new date), or any other
change another part of the hall makes (told by its new status). Article 16 warnings are the hall's
own business and never reach the applicant, nor do an extension's request or rejection: steps
inside the department that change nothing the applicant was promised.

Each message is short enough for an SMS or two, carries no ID number and no name, and ends with
the tokenised progress URL; the SMS gateway adds its signature (【hall】) itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core import labels
from server.core.case_clock import SUSPENSION_WORDS, SuspensionKind


@dataclass(frozen=True)
class Message:
    template: str  # a stable code a gateway may map onto its own registered template
    zh: str
    en: str


_OPENED = {
    "accepted": ("您的申请已受理，受理编号{n}，承诺于{d}前办结。查询进度：{u}",
                 "Your application was accepted, no. {n}, to be decided by {d}. Progress: {u}"),
    "notice": ("您的申请材料需补正（编号{n}），请按一次性告知书补齐全部材料后再来办理。详情：{u}",
               "Your application needs more materials (no. {n}): bring all those on the notice. Details: {u}"),
    "refused": ("您的申请不予受理（编号{n}），理由及救济途径见决定书。详情：{u}",
                "Your application was not accepted (no. {n}); the decision states why and your remedies. "
                "Details: {u}"),
    "concluded": ("您的申请已当场办结（编号{n}）。详情：{u}",
                  "Your application was concluded on the spot (no. {n}). Details: {u}"),
}

_STATUS = {
    "in_review": ("您的办件{n}已进入审查。查询进度：{u}", "Your case {n} is under review. Progress: {u}"),
    "decided_approved": ("您的办件{n}已作出准予决定，请留意送达。详情：{u}",
                         "Your case {n} was approved; watch for its delivery. Details: {u}"),
    "decided_denied": ("您的办件{n}已作出不予批准决定，理由及救济途径见决定书。详情：{u}",
                       "Your case {n} was denied; the decision states why and your remedies. Details: {u}"),
    "delivered": ("您的办件{n}已办结送达，欢迎评价。详情：{u}",
                  "Your case {n} is complete and delivered; please rate it. Details: {u}"),
}

# A receipt's answer (收件 → 受理 | 一次性告知).
_ANSWER = {
    "accepted": ("您的申请（编号{n}）经审查已受理，承诺于{d}前办结。查询进度：{u}",
                 "Your application (no. {n}) was accepted after review, to be decided by {d}. Progress: {u}"),
    "noticed": ("您的申请材料需补正（编号{n}），请按一次性告知书补齐全部材料后再来办理。详情：{u}",
                "Your application needs more materials (no. {n}): bring all those on the notice. Details: {u}"),
}

# The case clock (延长, 中止计时): each says the date the applicant may now count on.
_CLOCK = {
    "extension_approved": ("您的办件{n}办理期限依法延长至{d}，理由见延长告知书。详情：{u}",
                           "The time limit of your case {n} was lawfully extended to {d}. Details: {u}"),
    "suspended": ("您的办件{n}因{k}中止计时，所需时间不计入办理期限。详情：{u}",
                  "The clock of your case {n} is stopped for {k_en}; that time does not count. Details: {u}"),
    "resumed": ("您的办件{n}已恢复计时，承诺于{d}前办结。详情：{u}",
                "The clock of your case {n} runs again; to be decided by {d}. Details: {u}"),
}

# Internal steps: the promise is unchanged until a chief approves.
_UNTOLD = frozenset({"extension_requested", "extension_rejected"})

_OTHER = ("您的办件{n}有新进展：{s}。详情：{u}", "There is news on your case {n}: {s_en}. Details: {u}")


def message(event: str, change: dict[str, object], *, number: str, status: str, promised: str | None,
            url: str) -> Message | None:
    """The message for the change `change` (as `server.app.cases.announce` is given it) of event
    `event`; None for what the applicant is not told (article 16 warnings)."""
    kind = change.get("kind")
    if event == "case.warning" or kind == "warning" or kind in _UNTOLD:
        return None
    status_zh, status_en = labels.words(labels.CASE_STATUS, status)
    values = {"n": number, "d": promised or "", "u": url, "s": status_zh, "s_en": status_en}
    outcome = str(change.get("outcome", ""))
    if kind == "opened" and outcome in _OPENED and (outcome != "accepted" or promised):
        zh, en = _OPENED[outcome]
        return Message(f"case.{outcome}", zh.format(**values), en.format(**values))
    if kind == "status" and change.get("previous") == "received" and status in _ANSWER:
        zh, en = _ANSWER[status]
        return Message(f"case.receipt_{status}", zh.format(**values), en.format(**values))
    if kind in _CLOCK and (kind == "suspended" or promised):
        try:
            ground = SUSPENSION_WORDS[SuspensionKind(str(change.get("suspension_kind") or "other"))]
        except ValueError:
            ground = SUSPENSION_WORDS[SuspensionKind.OTHER]
        zh, en = _CLOCK[str(kind)]
        values = {**values, "k": ground[0], "k_en": ground[1].lower()}
        return Message(f"case.{kind}", zh.format(**values), en.format(**values))
    if kind == "status" and status in _STATUS:
        zh, en = _STATUS[status]
        return Message(f"case.{status}", zh.format(**values), en.format(**values))
    zh, en = _OTHER
    return Message("case.updated", zh.format(**values), en.format(**values))
