"""差评整改: the follow-up of a poor rating (1 or 2 of 5), 国办发〔2019〕51号 and GB/T 39734-2020.

A rating of 1 or 2 opens a follow-up for the chief representative of the rated department. Its
steps come in one order, each once:

    received → called_back (回访) → verified (核实) → rectified (整改) | explained (情况说明) → answered (反馈)

`explained` is the branch for a complaint that, verified, showed nothing to put right: the
department explains instead of rectifying; either way the visitor is answered last.

The appeal (申诉): at any step before `answered` the chief may ask, with a reason, that the rating
be judged mistaken or malicious. While it is pending no step is taken. A manager decides, with a
reason: approved, the rating is excluded from the statistics and the follow-up closes as
`excluded`; rejected, the follow-up goes on from where it stood. A follow-up is appealed once.

Deadlines: each step is due by the end of a working day counted from the day the rating came in
(that day not counted), cumulatively, as [followup] in the hall config says (`FollowupLimits`).
`explained` shares `rectified`'s deadline. The step ahead is warned of by the hall's tiers over
the working time from the rating's arrival to that step's deadline (core.deadlines.left_until),
the same tiers as a case's time limit.

Pure: time, the calendar and the limits come in as arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum

from server.core import deadlines
from server.core.errors import DomainError, Forbidden
from server.core.hall import FollowupLimits, Hours, WarningTier
from server.core.windows import Role, Staff
from server.core.workdays import WorkCalendar

POOR_LEVELS = (1, 2)
MAX_NOTE = 1000


class Status(StrEnum):
    RECEIVED = "received"
    CALLED_BACK = "called_back"
    VERIFIED = "verified"
    RECTIFIED = "rectified"
    EXPLAINED = "explained"
    ANSWERED = "answered"
    EXCLUDED = "excluded"


class Appeal(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


LABELS: dict[str, tuple[str, str]] = {
    "received": ("待回访", "received"),
    "called_back": ("已回访", "called back"),
    "verified": ("已核实", "verified"),
    "rectified": ("已整改", "rectified"),
    "explained": ("已说明情况", "explained"),
    "answered": ("已反馈", "answered"),
    "excluded": ("申诉通过，不计入统计", "excluded on appeal"),
    "appeal_pending": ("申诉待审核", "appeal pending"),
    "appeal_rejected": ("申诉未通过", "appeal rejected"),
}

# The steps a follow-up may take next, from each status.
NEXT: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.CALLED_BACK,),
    Status.CALLED_BACK: (Status.VERIFIED,),
    Status.VERIFIED: (Status.RECTIFIED, Status.EXPLAINED),
    Status.RECTIFIED: (Status.ANSWERED,),
    Status.EXPLAINED: (Status.ANSWERED,),
    Status.ANSWERED: (),
    Status.EXCLUDED: (),
}
STEPS = (Status.CALLED_BACK, Status.VERIFIED, Status.RECTIFIED, Status.EXPLAINED, Status.ANSWERED)
CLOSED = (Status.ANSWERED, Status.EXCLUDED)

# The key of each step's deadline in `due`: `explained` keeps `rectified`'s.
DUE_KEYS = ("called_back", "verified", "rectified", "answered")


def due_key(step: Status) -> str:
    return "rectified" if step is Status.EXPLAINED else step.value


def label(status: str) -> dict[str, str]:
    """As the API carries it: `{"zh": ..., "en": ...}`."""
    zh, en = LABELS.get(status, (status, status))
    return {"zh": zh, "en": en}


def history_label(status: str) -> dict[str, str]:
    """A history entry says what happened: the rating came in, not "awaiting the call back"."""
    return {"zh": "收到差评", "en": "received"} if status == Status.RECEIVED else label(status)


# --- errors ------------------------------------------------------------------------------------


class FollowupError(DomainError):
    """The follow-up rules forbid this."""

    kind = "invalid"
    code = "invalid_followup"
    zh = "不符合差评整改规则"


class UnknownStep(FollowupError):
    """must be one of {steps}, not {step!r}"""

    code = "unknown_step"
    zh = "办理步骤不正确"


class NoteRequired(FollowupError):
    """is required: say what was done or why (kept, and sent to the provincial rating system)"""

    code = "note_required"
    zh = "请填写说明"


class StepOutOfOrder(FollowupError):
    """The follow-up is {status}: it cannot be {step} now (next: {allowed})."""

    kind = "conflict"
    code = "step_out_of_order"

    def __init__(self, *, status: Status, step: Status) -> None:
        allowed = " or ".join(s.value for s in NEXT[status]) or "nothing, it is closed"
        allowed_zh = "或".join(LABELS[s][0] for s in NEXT[status]) or "无，已办结"
        super().__init__(zh=f"该差评整改当前为“{LABELS[status][0]}”，不能办理“{LABELS[step][0]}”（下一步：{allowed_zh}）",
                         status=status.value, step=step.value, allowed=allowed)


class AppealPending(FollowupError):
    """The follow-up is {status} with an appeal pending: a manager decides it before the next step."""

    kind = "conflict"
    code = "appeal_pending"
    zh = "申诉待大厅主任审核，审核后方可继续办理"


class AppealNotAllowed(FollowupError):
    """The follow-up is {status} (appeal: {appeal}): {why}"""

    kind = "conflict"
    code = "appeal_not_allowed"
    zh = "当前不能申诉"


class NoAppealPending(FollowupError):
    """The follow-up is {status} and has no appeal pending to decide."""

    kind = "conflict"
    code = "no_appeal_pending"
    zh = "没有待审核的申诉"


# --- the follow-up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Followup:
    status: Status = Status.RECEIVED
    appeal: Appeal | None = None
    appeal_reason: str = ""

    @property
    def open(self) -> bool:
        return self.status not in CLOSED

    def next_steps(self) -> tuple[Status, ...]:
        return () if self.appeal is Appeal.PENDING else NEXT[self.status]


def step_named(name: object) -> Status:
    if isinstance(name, str):
        try:
            s = Status(name)
        except ValueError:
            s = None
        if s in STEPS:
            return s
    raise UnknownStep(steps=", ".join(s.value for s in STEPS), step=name, where="step")


def _note(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise NoteRequired(where=what)
    if len(text) > MAX_NOTE:
        raise FollowupError(f"at most {MAX_NOTE} characters, got {len(text)}", zh=f"最多{MAX_NOTE}字", where=what)
    return text


def advance(f: Followup, to: Status, note: str) -> Followup:
    """Take step `to`: the next one in order, once, with a note of what was done."""
    _note(note, "note")
    if f.appeal is Appeal.PENDING and f.open:
        raise AppealPending(status=f.status.value)
    if to not in NEXT[f.status]:
        raise StepOutOfOrder(status=f.status, step=to)
    return replace(f, status=to)


def request_appeal(f: Followup, reason: str) -> Followup:
    """The chief asks that the rating be judged mistaken or malicious: before the answer, once."""
    reason = _note(reason, "reason")
    if not f.open:
        raise AppealNotAllowed(status=f.status.value, appeal=f.appeal or "none",
                               why="it is closed", zh="该差评整改已办结，不能申诉")
    if f.appeal is not None:
        raise AppealNotAllowed(status=f.status.value, appeal=f.appeal.value,
                               why="a follow-up is appealed once", zh="每条差评只能申诉一次")
    return replace(f, appeal=Appeal.PENDING, appeal_reason=reason)


def decide_appeal(f: Followup, approve: bool, reason: str) -> Followup:
    """A manager's decision: approved excludes the rating and closes the follow-up; rejected lets
    it go on from where it stood."""
    _note(reason, "reason")
    if f.appeal is not Appeal.PENDING:
        raise NoAppealPending(status=f.status.value)
    if approve:
        return replace(f, status=Status.EXCLUDED, appeal=Appeal.APPROVED)
    return replace(f, appeal=Appeal.REJECTED)


# --- deadlines and warnings --------------------------------------------------------------------------


def due_dates(received: date, limits: FollowupLimits, calendar: WorkCalendar) -> dict[str, date]:
    """Each step's deadline, from the day the rating came in (not counted) on the hall calendar."""
    days = (limits.called_back_days, limits.verified_days, limits.rectified_days, limits.answered_days)
    return {key: calendar.add_working_days(received, n) for key, n in zip(DUE_KEYS, days, strict=True)}


def next_due(f: Followup, due: dict[str, date]) -> date | None:
    """The deadline of the step ahead; None once closed."""
    ahead = NEXT[f.status]
    return due[due_key(ahead[0])] if ahead else None


def tier(
    f: Followup,
    due: dict[str, date],
    received_at: datetime,
    now: datetime,
    hours: Hours,
    calendar: WorkCalendar,
    tz: tzinfo,
    tiers: Iterable[WarningTier],
) -> str | None:
    """The warning tier of the step ahead (None when closed or green)."""
    when = next_due(f, due)
    if when is None:
        return None
    return deadlines.tier_of(deadlines.left_until(received_at, when, now, hours, calendar, tz), tiers)


# --- who may ----------------------------------------------------------------------------------------


def sees_all(staff: Staff) -> bool:
    return staff.role in (Role.MANAGER, Role.ADMIN)


def departments_seen(staff: Staff) -> tuple[str, ...] | None:
    """None: all departments (managers, admins); a chief their own; window staff none (Forbidden)."""
    if sees_all(staff):
        return None
    if staff.role is Role.CHIEF and staff.department:
        return (staff.department,)
    raise Forbidden("poor ratings are followed up by the department's chief representative and the hall managers",
                    zh="差评整改仅供首席代表和大厅主任查看")


def may_read(staff: Staff, department: str) -> bool:
    return sees_all(staff) or (staff.role is Role.CHIEF and staff.department == department)


def require_step(staff: Staff, department: str) -> None:
    if staff.role is Role.MANAGER or (staff.role is Role.CHIEF and staff.department == department):
        return
    raise Forbidden(f"the follow-up of a rating of {department} is taken by its chief representative or a manager",
                    zh="仅该部门首席代表或大厅主任可以办理该差评整改")


def require_appeal(staff: Staff, department: str) -> None:
    if staff.role is Role.CHIEF and staff.department == department:
        return
    raise Forbidden(f"an appeal is asked by the chief representative of {department}",
                    zh="仅该部门首席代表可以提出申诉")


def require_decide(staff: Staff) -> None:
    if staff.role is not Role.MANAGER:
        raise Forbidden("an appeal is decided by a hall manager", zh="申诉由大厅主任审核")
