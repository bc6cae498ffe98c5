"""The hall as configured: departments, service items with their guides, queues and windows.

These are plain frozen values. `server.hallconfig` builds them from TOML and checks them; the
core only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from functools import cached_property

from .appointment_rules import AppointmentRules
from .evaluation import Weights as EvaluationWeights
from .rating import RatingSettings


class WindowKind(StrEnum):
    DEPARTMENT = "department"
    # 综合代理窗口 (article 24): one window serving several departments' low-volume queues.
    PROXY = "proxy"


class ClosedQueuePolicy(StrEnum):
    """What a kiosk does for a queue that no open window serves (article 26)."""

    REFUSE = "refuse"
    WARN = "warn"


@dataclass(frozen=True)
class Department:
    """A department of the hall. The paper keys (issue 14) name what its written decisions carry:
    `doc_prefix` starts its document numbers (市监 in 市监受字〔2026〕18号), `seal` names the
    approval seal (行政审批专用章, article 22), and the review body and court its refusals and
    denials name; empty ones fall back as `core.documents` says."""

    code: str
    name: str
    name_en: str
    doc_prefix: str = ""
    seal: str = ""
    review_body: str = ""
    review_body_en: str = ""
    court: str = ""
    court_en: str = ""


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    name_en: str = ""
    copies: str = ""
    note: str = ""
    # 示范文本: the file name of a filled-in sample of this material (the hall file's forms/ folder).
    sample: str = ""
    # 常见错误示例 of this one material ("申请书未签字").
    mistakes: str = ""


@dataclass(frozen=True)
class Guide:
    """The service guide (办事指南) of article 7: 事项名称 is the item's name; the other nine
    fields are here. `fee` is the 收费标准 (the standard), `fee_basis` the 收费依据."""

    legal_basis: str
    conditions: str
    materials: tuple[Material, ...]
    fee: str
    time_limit_days: int
    contact: str
    process: str = ""
    common_mistakes: str = ""
    # 受理单位; empty: the item's department (`accepting_unit_of`).
    accepting_unit: str = ""
    fee_basis: str = ""
    # The revision in force: its date and what it changed (the hall file's, or an admin's edit).
    revised_on: date | None = None
    revision_note: str = ""
    revision: int = 0  # 0: the hall file's; n: the item's n-th revision made by an admin
    # Words the public search also finds the item by (常用名: "公司注册", "开公司").
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    name_en: str
    department: str
    queue: str
    guide: Guide
    typical_minutes: float
    # Article 17: a joint item has one lead department (`department`) and the ones copied.
    copied_departments: tuple[str, ...] = ()

    def material(self, code: str) -> Material | None:
        return next((m for m in self.guide.materials if m.code == code), None)

    def accepting_unit_of(self, hall: Hall) -> str:
        """受理单位: the guide's, else the name of the item's department."""
        if self.guide.accepting_unit:
            return self.guide.accepting_unit
        dept = hall.department(self.department)
        return dept.name if dept else self.department


@dataclass(frozen=True)
class Queue:
    code: str
    name: str
    name_en: str
    prefix: str
    department: str
    digits: int = 3


@dataclass(frozen=True)
class ServedQueue:
    """A queue a window serves. Higher weight: called proportionally more often there."""

    queue: str
    weight: int = 1


@dataclass(frozen=True)
class Window:
    id: str
    number: int
    name: str
    name_en: str
    kind: WindowKind
    department: str | None
    queues: tuple[ServedQueue, ...]
    printer: str | None = None
    zone: str = ""
    # A reserve window (备用窗口) is closed by default: a manager opens it at a peak. Until then
    # nobody signs in there and it counts for no queue.
    reserve: bool = False

    def serves(self, queue: str) -> bool:
        return queue in self._codes

    @cached_property
    def _codes(self) -> frozenset[str]:
        # Asked for every window and queue of every view a change builds: a set, made once.
        return frozenset(sq.queue for sq in self.queues)

    def weight(self, queue: str) -> int:
        return next((sq.weight for sq in self.queues if sq.queue == queue), 0)


@dataclass(frozen=True)
class Hours:
    """Opening periods per ISO weekday (1 = Monday). Non-working days are closed whatever this says."""

    periods: tuple[tuple[time, time], ...]
    # Tickets stop this many minutes before closing, so a visitor is not issued a number
    # the hall cannot serve today.
    issue_stop_minutes: int = 0

    def is_open(self, at: time) -> bool:
        return any(start <= at < end for start, end in self.periods)

    def issuing(self, at: time) -> bool:
        return any(
            start <= at < _minus_minutes(end, self.issue_stop_minutes) for start, end in self.periods
        )


def _minus_minutes(t: time, minutes: int) -> time:
    total = max(0, t.hour * 60 + t.minute - minutes)
    return time(total // 60, total % 60)


@dataclass(frozen=True)
class CalendarOverrides:
    """Days the hall declares closed or open, over the holiday library's national calendar."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    # False: weekends only, no national calendar (for tests and halls outside mainland China).
    national: bool = True


@dataclass(frozen=True)
class WarningTier:
    """Article 16 tiered warning, relative to the item's time limit: raised once less than
    `share_left` of the limit's working time is ahead; a tier at 0 is raised when overdue."""

    name: str
    share_left: float


@dataclass(frozen=True)
class Voice:
    template: str = "请{number}号到{window}号窗口办理"
    template_en: str = "Number {number_en}, please go to window {window}."
    english: bool = False
    repeat: int = 2


@dataclass(frozen=True)
class Appeal:
    """Where an applicant refused at a window may turn (administrative review within 60 days,
    a lawsuit within 6 months); empty names: the progress page states the rights generically."""

    review_body: str = ""
    review_body_en: str = ""
    court: str = ""
    court_en: str = ""


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    paper_mm: int = 80
    native_qr: bool = True
    cut: bool = True


@dataclass(frozen=True)
class StaffingTarget:
    """The service level the staffing recommendations aim at: `share` of visitors called within
    `wait_minutes` of taking their ticket (e.g. 80% within 15 minutes), planned per interval."""

    share: float = 0.8
    wait_minutes: float = 15.0
    interval_minutes: int = 30

    @property
    def wait_s(self) -> float:
        return 60.0 * self.wait_minutes


@dataclass(frozen=True)
class AlertThresholds:
    """When the manager's board raises an alert: a queue's longest wait over its threshold, a
    window paused longer than its reason allows."""

    longest_wait_minutes: float = 30.0
    queue_longest_wait_minutes: tuple[tuple[str, float], ...] = ()
    # The console offers 午休, 会议 and 暂时离开; any other reason gets `other_pause_minutes`.
    pause_minutes: tuple[tuple[str, float], ...] = (("午休", 90.0), ("会议", 60.0), ("暂时离开", 15.0))
    other_pause_minutes: float = 30.0

    def longest_wait_for(self, queue: str) -> float:
        return dict(self.queue_longest_wait_minutes).get(queue, self.longest_wait_minutes)

    def pause_limit_for(self, reason: str) -> float:
        return dict(self.pause_minutes).get(reason.strip(), self.other_pause_minutes)


@dataclass(frozen=True)
class OverflowRule:
    """跨窗通办: when `queue` has more than `waiting_over` waiting or its longest wait is over
    `longest_wait_minutes_over`, propose that `window` also serve it with `weight`. An automatic
    rule applies its proposal itself (audited as the rule's)."""

    name: str
    queue: str
    window: str
    weight: int = 1
    waiting_over: int | None = None
    longest_wait_minutes_over: float | None = None
    automatic: bool = False


@dataclass(frozen=True)
class CaseClockRules:
    """Article 14 and 16 limits beyond an item's own ([case_clock]): the completeness answer of a
    receipt (收件) within `receipt_days` working days; at most `max_extensions` lawful extensions
    (延长) of a case, each of 1..`max_extension_days` working days."""

    receipt_days: int = 5
    max_extensions: int = 1
    max_extension_days: int = 10  # 行政许可法 art. 42: "延长十日"


@dataclass(frozen=True)
class ItemTiers:
    """Warning tiers of one item instead of the hall's ([[item_warning_tiers]])."""

    item: str
    tiers: tuple[WarningTier, ...]


@dataclass(frozen=True)
class FollowupLimits:
    """差评整改: the working days, counted from the day a poor rating came in (that day not
    counted, as any time limit), by which each step of its follow-up is due. Cumulative, not per
    step: called back by day 1, verified by day 3, rectified or explained by day 5, answered by
    day 5 means the whole follow-up ends within 5 working days of the rating."""

    called_back_days: int = 1
    verified_days: int = 3
    rectified_days: int = 5  # rectified, or explained when nothing was wrong
    answered_days: int = 5


@dataclass(frozen=True)
class PlannedPause:
    """The hall's rota ([waits] in the hall file): from `start` to `end` about `share` of each
    queue's windows are away (lunch in rotation). The waiting-time estimate slows down there."""

    start: time
    end: time
    share: float


@dataclass(frozen=True)
class Hall:
    code: str
    name: str
    name_en: str
    timezone: str
    public_url: str
    departments: tuple[Department, ...]
    items: tuple[Item, ...]
    queues: tuple[Queue, ...]
    windows: tuple[Window, ...]
    hours: Hours
    calendar: CalendarOverrides = CalendarOverrides()
    closed_queue_policy: ClosedQueuePolicy = ClosedQueuePolicy.REFUSE
    # A waiting ticket older than this is called before newer ones of any class (no starvation).
    max_wait_minutes: int = 90
    voice: Voice = Voice()
    warning_tiers: tuple[WarningTier, ...] = (
        WarningTier("yellow", 1 / 3),
        WarningTier("orange", 0.1),
        WarningTier("red", 0.0),
    )
    printer_profiles: tuple[PrinterProfile, ...] = (PrinterProfile("default"),)
    appeal: Appeal = Appeal()
    notices: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    staffing: StaffingTarget = StaffingTarget()
    alerts: AlertThresholds = AlertThresholds()
    overflow: tuple[OverflowRule, ...] = ()
    followup: FollowupLimits = FollowupLimits()
    ratings: RatingSettings = RatingSettings()
    planned_pauses: tuple[PlannedPause, ...] = ()
    # The monthly evaluation's weights ([evaluation], server/core/evaluation.py).
    evaluation: EvaluationWeights = EvaluationWeights()
    case_clock: CaseClockRules = CaseClockRules()
    item_warning_tiers: tuple[ItemTiers, ...] = ()
    appointments: AppointmentRules = AppointmentRules()
    _by_code: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        index = {
            "department": {d.code: d for d in self.departments},
            "item": {i.code: i for i in self.items},
            "queue": {q.code: q for q in self.queues},
            "window": {w.id: w for w in self.windows},
            "profile": {p.name: p for p in self.printer_profiles},
        }
        object.__setattr__(self, "_by_code", index)

    def department(self, code: str) -> Department | None:
        return self._by_code["department"].get(code)

    def item(self, code: str) -> Item | None:
        return self._by_code["item"].get(code)

    def queue(self, code: str) -> Queue | None:
        return self._by_code["queue"].get(code)

    def window(self, window_id: str) -> Window | None:
        return self._by_code["window"].get(window_id)

    def tiers_for(self, item_code: str) -> tuple[WarningTier, ...]:
        """The item's own warning tiers where the config gives them, else the hall's."""
        own = next((t.tiers for t in self.item_warning_tiers if t.item == item_code), None)
        return own or self.warning_tiers

    def printer_profile(self, name: str) -> PrinterProfile | None:
        return self._by_code["profile"].get(name)

    def windows_serving(self, queue: str) -> tuple[Window, ...]:
        return tuple(w for w in self.windows if w.serves(queue))

    def items_of_queue(self, queue: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.queue == queue)

    def typical_service_s(self, queue: str) -> float:
        """Fallback service time of a queue: the mean of its items' typical minutes."""
        items = self.items_of_queue(queue)
        if not items:
            return 600.0
        return 60.0 * sum(i.typical_minutes for i in items) / len(items)
