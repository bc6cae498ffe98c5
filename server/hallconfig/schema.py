"""The hall file's shape: pydantic models for one TOML file, each turning into a core value.

The models check what one entry can check alone (a key spelled wrong, a bad prefix, hours that do
not parse). What needs the whole file (a window naming a queue that does not exist) is checked in
`loader`, so each message here can stay about one entry. Models are strict because TOML already
has types: a number written as "3" is more likely a mistake than a wish.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    model_validator,
)

from server.core import hall as core
from server.speech.settings import CHIMES, HallVoice

from .appointments import AppointmentsIn
from .case_clock import CaseClockIn, ItemTiersIn
from .departments import DepartmentIn
from .evaluation import EvaluationIn
from .fields import (
    PREFIX,
    Code,
    Day,
    Model,
    OptionalText,
    Period,
    Text,
    check_code,
    check_http_url,
    check_origin,
    check_printer_url,
    check_served,
    check_template,
    check_timezone,
    check_window_id,
    not_empty,
)
from .followup import FollowupIn
from .guides import GuideIn
from .manager import AlertsIn, OverflowIn, StaffingIn
from .ratings import RatingsIn
from .waits import WaitsIn


class HallIn(Model):
    code: Code
    name: Text
    name_en: Text
    timezone: Annotated[str, AfterValidator(check_timezone)]
    public_url: Annotated[str, AfterValidator(check_http_url)]
    closed_queue_policy: Literal["refuse", "warn"] = "refuse"
    max_wait_minutes: int = Field(90, gt=0)
    notices: list[Text] = []
    # Extra browser origins allowed besides public_url's own (never "*").
    origins: list[Annotated[str, AfterValidator(check_origin)]] = []


class HoursIn(Model):
    periods: Annotated[list[Period], not_empty('lists no period; write e.g. ["09:00-17:00"]')]
    issue_stop_minutes: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> HoursIn:
        ordered = sorted(self.periods)
        for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
            if s2 < e1:
                raise ValueError(f"periods {_hhmm(s1)}-{_hhmm(e1)} and {_hhmm(s2)}-{_hhmm(e2)} overlap")
        longest = max(_minutes(e) - _minutes(s) for s, e in ordered)
        if self.issue_stop_minutes >= longest:
            raise ValueError(
                f"issue_stop_minutes = {self.issue_stop_minutes} leaves no time to issue tickets "
                f"(the longest period is {longest} minutes)"
            )
        self.periods = ordered
        return self

    def to_core(self) -> core.Hours:
        return core.Hours(periods=tuple(self.periods), issue_stop_minutes=self.issue_stop_minutes)


class CalendarIn(Model):
    national: bool = True
    holidays: list[Day] = []
    workdays: list[Day] = []

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarIn:
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"{both[0]} is listed both as a holiday and as a workday")
        return self

    def to_core(self) -> core.CalendarOverrides:
        return core.CalendarOverrides(frozenset(self.holidays), frozenset(self.workdays), self.national)


class VoiceIn(Model):
    """Defaults meet issue 9's targets: a call in about 3.5 s, ten at once heard within 30 s."""

    template: Annotated[str, AfterValidator(check_template)] = HallVoice.template
    template_en: Annotated[str, AfterValidator(check_template)] = HallVoice.template_en
    template_more: Annotated[str, AfterValidator(check_template)] = HallVoice.template_more
    english: bool = False
    repeat: int = Field(HallVoice.repeat, ge=1, le=5)
    rate: int = Field(HallVoice.rate, ge=80, le=450)
    busy_rate: int = Field(HallVoice.busy_rate, ge=80, le=450)
    chime: Literal[CHIMES] = HallVoice.chime  # type: ignore[valid-type]
    merge_after: int = Field(HallVoice.merge_after, ge=1, le=50)
    merge_max: int = Field(HallVoice.merge_max, ge=1, le=20)
    banner_max_s: float = Field(HallVoice.banner_max_s, ge=3, le=120)

    def to_core(self) -> core.Voice:
        return HallVoice(
            self.template, self.template_en, self.english, self.repeat,
            template_more=self.template_more, rate=self.rate, busy_rate=self.busy_rate, chime=self.chime,
            merge_after=self.merge_after, merge_max=self.merge_max, banner_max_s=self.banner_max_s,
        )


class WarningTierIn(Model):
    name: Code
    # Of the item's time limit, in working time: raised once less than this share is ahead;
    # 0 is the overdue tier.
    share_left: float = Field(ge=0, lt=1)

    def to_core(self) -> core.WarningTier:
        return core.WarningTier(self.name, self.share_left)


class AppealIn(Model):
    review_body: str = ""
    review_body_en: str = ""
    court: str = ""
    court_en: str = ""

    def to_core(self) -> core.Appeal:
        return core.Appeal(self.review_body.strip(), self.review_body_en.strip(), self.court.strip(),
                           self.court_en.strip())


class PrinterProfileIn(Model):
    name: Code
    paper_mm: int = Field(80, ge=40, le=120)
    native_qr: bool = True
    cut: bool = True

    def to_core(self) -> core.PrinterProfile:
        return core.PrinterProfile(self.name, self.paper_mm, self.native_qr, self.cut)


class QueueIn(Model):
    code: Code
    name: Text
    name_en: Text
    department: Code
    # Defaults to the code, since most halls name a queue by its letter.
    prefix: str | None = None
    digits: int = Field(3, ge=1, le=6)

    @model_validator(mode="after")
    def _prefix(self) -> QueueIn:
        prefix = self.code if self.prefix is None else self.prefix
        if not PREFIX.fullmatch(prefix):
            origin = "" if self.prefix is not None else " (taken from the code; set prefix)"
            raise ValueError(f'ticket prefix "{prefix}"{origin} is not 1-2 uppercase ASCII letters')
        self.prefix = prefix
        return self

    def to_core(self) -> core.Queue:
        assert self.prefix is not None
        return core.Queue(self.code, self.name, self.name_en, self.prefix, self.department, self.digits)


class ItemIn(Model):
    code: Code
    name: Text
    name_en: Text
    department: Code
    queue: Code
    typical_minutes: float = Field(gt=0, le=480)
    copied_departments: list[Code] = []
    guide: GuideIn

    def to_core(self) -> core.Item:
        return core.Item(
            code=self.code,
            name=self.name,
            name_en=self.name_en,
            department=self.department,
            queue=self.queue,
            guide=self.guide.to_core(),
            typical_minutes=float(self.typical_minutes),
            copied_departments=tuple(self.copied_departments),
        )


class ServedQueueIn(Model):
    queue: Code
    weight: int = Field(1, ge=1, le=100)

    def to_core(self) -> core.ServedQueue:
        return core.ServedQueue(self.queue, self.weight)


class WindowIn(Model):
    # Window ids appear in URLs (/api/v1/windows/12/open), hence a code's characters.
    id: Annotated[str, BeforeValidator(check_window_id), AfterValidator(check_code)]
    # number, name and name_en default to the id ("5" -> 5, "5号窗口", "Window 5").
    number: int | None = Field(None, gt=0)
    name: Text | None = None
    name_en: Text | None = None
    kind: Literal["department", "proxy"] = "department"
    department: Code | None = None
    queues: Annotated[
        list[Annotated[ServedQueueIn, BeforeValidator(check_served)]],
        not_empty("serves no queue; list at least one in queues"),
    ]
    printer: Annotated[str, AfterValidator(check_printer_url)] | None = None
    zone: OptionalText = ""
    # 备用窗口: closed by default, opened by a manager at a peak.
    reserve: bool = False

    @model_validator(mode="after")
    def _defaults(self) -> WindowIn:
        if self.number is None:
            if not self.id.isdecimal() or int(self.id) == 0:
                raise ValueError(f'id "{self.id}" is not a window number: set number')
            self.number = int(self.id)
        self.name = self.name or f"{self.number}号窗口"
        self.name_en = self.name_en or f"Window {self.number}"
        return self

    def to_core(self) -> core.Window:
        assert self.number is not None and self.name is not None and self.name_en is not None
        return core.Window(
            id=self.id,
            number=self.number,
            name=self.name,
            name_en=self.name_en,
            kind=core.WindowKind(self.kind),
            department=self.department,
            queues=tuple(q.to_core() for q in self.queues),
            printer=self.printer,
            zone=self.zone,
            reserve=self.reserve,
        )


_none = not_empty("lists none; a hall needs at least one")


class HallFile(Model):
    """The whole file. Lists keep the file's order, so the admin decides the order screens use."""

    hall: HallIn
    hours: HoursIn
    calendar: CalendarIn = CalendarIn()
    voice: VoiceIn = VoiceIn()
    warning_tiers: list[WarningTierIn] | None = None
    appeal: AppealIn = AppealIn()
    printer_profiles: list[PrinterProfileIn] | None = None
    departments: Annotated[list[DepartmentIn], _none]
    queues: Annotated[list[QueueIn], _none]
    items: Annotated[list[ItemIn], _none]
    windows: Annotated[list[WindowIn], _none]
    staffing: StaffingIn = StaffingIn()
    alerts: AlertsIn = AlertsIn()
    overflow: list[OverflowIn] = []
    followup: FollowupIn = FollowupIn()
    ratings: RatingsIn = RatingsIn()
    waits: WaitsIn = WaitsIn()
    evaluation: EvaluationIn = EvaluationIn()
    case_clock: CaseClockIn = CaseClockIn()
    item_warning_tiers: list[ItemTiersIn] = []
    appointments: AppointmentsIn = AppointmentsIn()

    def to_core(self) -> core.Hall:
        extra: dict[str, Any] = {}
        if self.warning_tiers is not None:
            extra["warning_tiers"] = tuple(t.to_core() for t in self.warning_tiers)
        if self.printer_profiles is not None:
            extra["printer_profiles"] = tuple(p.to_core() for p in self.printer_profiles)
        h = self.hall
        return core.Hall(
            code=h.code,
            name=h.name,
            name_en=h.name_en,
            timezone=h.timezone,
            public_url=h.public_url,
            departments=tuple(d.to_core() for d in self.departments),
            items=tuple(i.to_core() for i in self.items),
            queues=tuple(q.to_core() for q in self.queues),
            windows=tuple(w.to_core() for w in self.windows),
            hours=self.hours.to_core(),
            calendar=self.calendar.to_core(),
            closed_queue_policy=core.ClosedQueuePolicy(h.closed_queue_policy),
            max_wait_minutes=h.max_wait_minutes,
            voice=self.voice.to_core(),
            appeal=self.appeal.to_core(),
            notices=tuple(h.notices),
            origins=tuple(h.origins),
            staffing=self.staffing.to_core(),
            alerts=self.alerts.to_core(),
            overflow=tuple(r.to_core() for r in self.overflow),
            followup=self.followup.to_core(),
            ratings=self.ratings.to_core(),
            planned_pauses=self.waits.to_core(),
            evaluation=self.evaluation.to_core(),
            case_clock=self.case_clock.to_core(),
            item_warning_tiers=tuple(t.to_core() for t in self.item_warning_tiers),
            appointments=self.appointments.to_core(),
            **extra,
        )


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
