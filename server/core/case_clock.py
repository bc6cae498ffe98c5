"""The time limits of a case to its end (articles 14 and 16): the completeness answer of a receipt,
a lawful extension (延长) and a suspension of the clock (中止计时).

- A received case (收件) is answered within `CaseClockRules.receipt_days` working days: accepted,
  and the item's promise then counts from that acceptance day; or a notice listing what is missing.
- An extension adds working days to the promised date, on the hall calendar. At most
  `max_extensions` per case, each of 1..`max_extension_days` days, and only while the clock runs:
  a delivered case has nothing left to extend, a suspended one has no running limit to stretch.
- A suspension stops the clock (expert review, hearing, public notice, testing): while it lasts no
  warning is raised; when it ends the promised date moves by the working days it covered, that is
  every working day from its first day up to, not including, the day it ended.

Pure: the caller gives the time and the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from server.core.case_errors import (
    ClockNotRunning,
    ClockSuspended,
    DeemedAccepted,
    EmptyNotice,
    ExtensionRefused,
    IllegalCaseTransition,
    MissingReason,
    NaiveTime,
    NotSuspended,
    ReceiptUnanswered,
)
from server.core.cases import Case, Status, StatusChange, _material_codes
from server.core.hall import CaseClockRules, Item
from server.core.workdays import WorkCalendar

_DAY = timedelta(days=1)
_MAX_TEXT = 1000


class SuspensionKind(StrEnum):
    """Why a clock stops: the periods the law leaves out of a time limit."""

    EXPERT_REVIEW = "expert_review"  # 专家评审
    HEARING = "hearing"  # 听证
    PUBLIC_NOTICE = "public_notice"  # 公示
    TESTING = "testing"  # 检验、检测、检疫
    OTHER = "other"  # 其他法定情形


SUSPENSION_WORDS: dict[SuspensionKind, tuple[str, str]] = {
    SuspensionKind.EXPERT_REVIEW: ("专家评审", "Expert review"),
    SuspensionKind.HEARING: ("听证", "Hearing"),
    SuspensionKind.PUBLIC_NOTICE: ("公示", "Public notice"),
    SuspensionKind.TESTING: ("检验检测", "Inspection and testing"),
    SuspensionKind.OTHER: ("其他法定情形", "Other lawful ground"),
}


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTime()


def clock_start(case: Case) -> datetime:
    """When the running limit began: the acceptance of a receipt once accepted, else the opening."""
    accepted = [c.at for c in case.history if c.status is Status.ACCEPTED and c.previous is Status.RECEIVED]
    return accepted[-1] if accepted else case.history[0].at


def acceptance_day(case: Case, tz: tzinfo) -> date:
    """The day the application counts as accepted, which every paper and page states alike: the day
    a receipt moved to accepted (its receipt day when deemed accepted, see `answer_received`), else
    the day of the window service."""
    accepted = [c.at for c in case.history if c.status is Status.ACCEPTED and c.previous is Status.RECEIVED]
    return accepted[-1].astimezone(tz).date() if accepted else case.accepted_on


DEEMED_NOTE = "逾期未作答复，依法自收到材料之日起即为受理（行政许可法第三十二条）"


# --- the receipt's answer ------------------------------------------------------------------------


def answer_received(
    case: Case,
    to: Status,
    *,
    item: Item,
    at: datetime,
    actor: str,
    calendar: WorkCalendar,
    missing: tuple[str, ...] = (),
    note: str = "",
) -> Case:
    """A received case accepted (the item's promise counts from `at`'s day) or noticed (`missing`
    lists every material to bring, article 14's one-time notice).

    Past the receipt's due date (its `promised`) the application is already accepted by law, from
    the day the materials were received (行政许可法 art. 32, "逾期不告知的，自收到材料之日起即为受理",
    as the receipt's paper says): a notice is refused, and an acceptance is recorded at the receipt's
    moment, the item's promise counting from the receipt day. The note says so.
    """
    _aware(at)
    if case.status is not Status.RECEIVED or to not in (Status.ACCEPTED, Status.NOTICED):
        raise IllegalCaseTransition(from_status=case.status, to_status=to,
                                    allowed="accepted, noticed" if case.status is Status.RECEIVED else "-")
    if case.suspended_since is not None:
        raise ClockSuspended(number=case.number)
    note = note.strip()[:_MAX_TEXT]
    received_at = case.history[0].at
    due = case.promised
    late = due is not None and at.date() > due  # `at` in the hall's zone
    if late and to is Status.NOTICED:
        raise DeemedAccepted(number=case.number, due=str(due))
    if to is Status.ACCEPTED:
        if missing:
            raise EmptyNotice().at("missing", zh="受理时不列补正材料")
        start = received_at if late else at
        if late:
            note = f"{DEEMED_NOTE}；{note}" if note else DEEMED_NOTE
        change = StatusChange(at=start, status=to, previous=case.status, actor=actor, note=note)
        promised = calendar.add_working_days(start.astimezone(at.tzinfo).date(), item.guide.time_limit_days)
        return replace(case, status=to, promised=promised, history=(*case.history, change))
    change = StatusChange(at=at, status=to, previous=case.status, actor=actor, note=note)
    codes = _material_codes(item, missing)
    if not codes:
        raise EmptyNotice()
    return replace(case, status=to, promised=None, missing=codes, reason=note,
                   history=(*case.history, change))


# --- extensions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtensionRequest:
    days: int
    reason: str
    legal_basis: str


def _extendable(case: Case) -> None:
    """Article 42 extends the time to decide: a receipt has nothing accepted to decide yet, and a
    decided case has only its delivery left (article 44's ten days), which no extension stretches."""
    if case.status is Status.RECEIVED:
        raise ReceiptUnanswered(number=case.number, what="an extension")
    if case.status in (Status.DECIDED_APPROVED, Status.DECIDED_DENIED):
        raise ExtensionRefused(why=f"case {case.number} is decided: an extension (art. 42) is of the time to "
                                   "decide, the delivery (art. 44) is not extended",
                               zh="办件已作出决定：延长（第四十二条）只适用于作出决定的期限，送达期限不能延长")
    if not case.clocked or case.promised is None:
        raise ClockNotRunning(number=case.number, status=case.status, what="an extension")


def check_extension(case: Case, asked: ExtensionRequest, *, granted: int, pending: int,
                    rules: CaseClockRules) -> ExtensionRequest:
    """The request as it may be made: the clock running, reason and legal basis stated, days
    within the limit, and fewer extensions granted or pending than allowed."""
    _extendable(case)
    if case.suspended_since is not None:
        raise ClockSuspended(number=case.number)
    reason, basis = asked.reason.strip()[:_MAX_TEXT], asked.legal_basis.strip()[:_MAX_TEXT]
    if not reason:
        raise MissingReason(what="extension", where="reason")
    if not basis:
        raise ExtensionRefused(why="an extension must cite its legal basis", where="legal_basis",
                               zh="延长时限须写明法律依据")
    if not 1 <= asked.days <= rules.max_extension_days:
        raise ExtensionRefused(why=f"an extension is of 1 to {rules.max_extension_days} working days, "
                                   f"not {asked.days}", where="days",
                               zh=f"延长的工作日数须在1至{rules.max_extension_days}日之间")
    if granted + pending >= rules.max_extensions:
        raise ExtensionRefused(why=f"a case may be extended {rules.max_extensions} time(s); "
                                   f"{granted} granted, {pending} awaiting approval",
                               zh=f"每件最多延长{rules.max_extensions}次")
    return ExtensionRequest(asked.days, reason, basis)


def extended(case: Case, days: int, calendar: WorkCalendar) -> Case:
    """The case with its promise moved `days` working days later (an approved extension)."""
    _extendable(case)
    if case.suspended_since is not None:
        raise ClockSuspended(number=case.number)
    assert case.promised is not None  # _extendable: a clocked case past its receipt has a promise
    return replace(case, promised=calendar.add_working_days(case.promised, days))


# --- suspensions -----------------------------------------------------------------------------------


def suspended(case: Case, at: datetime) -> Case:
    _aware(at)
    if case.status is Status.RECEIVED:
        raise ReceiptUnanswered(number=case.number, what="a suspension")
    if not case.clocked or case.promised is None:
        raise ClockNotRunning(number=case.number, status=case.status, what="a suspension")
    if case.suspended_since is not None:
        raise ClockSuspended(number=case.number)
    return replace(case, suspended_since=at)


def suspended_days(first: date, ended: date, calendar: WorkCalendar) -> int:
    """Working days from `first` up to, not including, `ended`: those the clock did not run."""
    count, d = 0, first
    while d < ended:
        count += calendar.is_workday(d)
        d += _DAY
    return count


def resumed(case: Case, at: datetime, calendar: WorkCalendar) -> tuple[Case, int]:
    """The case running again, its promise moved by the working days suspended, and those days."""
    _aware(at)
    if case.suspended_since is None:
        raise NotSuspended(number=case.number)
    since = case.suspended_since.astimezone(at.tzinfo).date()
    days = suspended_days(since, at.date(), calendar)
    # A case with no promise (one stored before the rules refused suspending a receipt) still ends
    # its suspension: nothing to move.
    promised = calendar.add_working_days(case.promised, days) if case.promised is not None else None
    return replace(case, suspended_since=None, promised=promised), days
