"""A day to replay (issue 13): the scenario file, read and checked against its hall.

The format is documented in docs/simulate.md; config/scenarios/*.toml are examples. Times of
day are the hall's local times ("09:00"); rates are tickets an hour; durations are minutes unless
a name ends in `_s`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from server.core.hall import Hall
from server.hallconfig import HallConfigError, load_hall


class ScenarioError(ValueError):
    """The scenario file is wrong; the message says where."""


@dataclass(frozen=True)
class Pause:
    at_s: float  # seconds after local midnight
    minutes: float
    reason: str


@dataclass(frozen=True)
class WindowPlan:
    window: str
    open_s: float
    close_s: float
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True)
class ServiceTime:
    """Lognormal call-to-finish time: `mean_s` and the log's standard deviation `sigma`."""

    mean_s: float
    sigma: float

    @property
    def mu(self) -> float:
        return math.log(self.mean_s) - self.sigma**2 / 2


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    hall: Hall
    hall_path: Path
    day: date
    end_s: float
    # Tickets an hour of each item, for each hour from `first_hour`.
    first_hour: int
    rates: dict[str, tuple[float, ...]]
    service: dict[str, ServiceTime]
    windows: tuple[WindowPlan, ...]
    green_share: float = 0.05
    no_show_share: float = 0.03
    transfer_share: float = 0.02
    suspend_share: float = 0.02
    suspend_minutes: tuple[float, float] = (10.0, 30.0)
    reaction_s: tuple[float, float] = (5.0, 30.0)
    no_show_after_s: float = 120.0
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def clock_s(text: str, where: str) -> float:
    try:
        t = time.fromisoformat(text)
    except (TypeError, ValueError):
        raise ScenarioError(f"{where}: {text!r} is not a time of day like \"09:00\"") from None
    return t.hour * 3600.0 + t.minute * 60.0 + t.second


def _share(doc: dict[str, Any], key: str, default: float, where: str) -> float:
    value = doc.get(key, default)
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ScenarioError(f"{where}.{key}: give a share between 0 and 1, not {value!r}")
    return float(value)


def _pair(doc: dict[str, Any], key: str, default: tuple[float, float], where: str) -> tuple[float, float]:
    value = doc.get(key, list(default))
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int | float) for v in value)
            or not 0 <= value[0] <= value[1]):
        raise ScenarioError(f"{where}.{key}: give [low, high] with 0 <= low <= high, not {value!r}")
    return float(value[0]), float(value[1])


def _rates(doc: dict[str, Any], hall: Hall) -> tuple[int, dict[str, tuple[float, ...]]]:
    arrivals = doc.get("arrivals")
    if not isinstance(arrivals, dict):
        raise ScenarioError("[arrivals] is missing: first_hour, profile and items")
    first = arrivals.get("first_hour", 9)
    profile = arrivals.get("profile", [])
    items = arrivals.get("items", {})
    if not isinstance(first, int) or not 0 <= first <= 23:
        raise ScenarioError(f"arrivals.first_hour: an hour 0-23, not {first!r}")
    if not isinstance(profile, list) or not profile or not all(isinstance(p, int | float) and p >= 0 for p in profile):
        raise ScenarioError("arrivals.profile: a list of factors >= 0, one per hour from first_hour")
    if not isinstance(items, dict) or not items:
        raise ScenarioError("arrivals.items: tickets an hour by item code")
    out: dict[str, tuple[float, ...]] = {}
    for code, value in items.items():
        if hall.item(code) is None:
            raise ScenarioError(f"arrivals.items: unknown item {code!r} in the hall")
        if isinstance(value, int | float) and value >= 0:
            out[code] = tuple(float(value) * p for p in profile)
        elif isinstance(value, list) and all(isinstance(v, int | float) and v >= 0 for v in value):
            out[code] = tuple(float(v) for v in value)
        else:
            raise ScenarioError(f"arrivals.items.{code}: a rate (an hour, times the profile) or a list per hour")
    return first, out


def _service(doc: dict[str, Any], hall: Hall) -> dict[str, ServiceTime]:
    section = doc.get("service", {})
    sigma = section.get("sigma", 0.5)
    scale = section.get("scale", 1.0)
    if not isinstance(sigma, int | float) or not 0 < sigma <= 2:
        raise ScenarioError(f"service.sigma: between 0 and 2, not {sigma!r}")
    if not isinstance(scale, int | float) or scale <= 0:
        raise ScenarioError(f"service.scale: a positive factor, not {scale!r}")
    out = {i.code: ServiceTime(60.0 * i.typical_minutes * scale, float(sigma)) for i in hall.items}
    for code, value in section.get("items", {}).items():
        if hall.item(code) is None:
            raise ScenarioError(f"service.items: unknown item {code!r}")
        if not isinstance(value, dict) or not isinstance(value.get("mean_minutes"), int | float):
            raise ScenarioError(f"service.items.{code}: {{ mean_minutes = M, sigma = S }}")
        out[code] = ServiceTime(60.0 * value["mean_minutes"], float(value.get("sigma", sigma)))
    return out


def _windows(doc: dict[str, Any], hall: Hall) -> tuple[WindowPlan, ...]:
    plans: list[WindowPlan] = []
    seen: set[str] = set()
    for n, entry in enumerate(doc.get("windows", [])):
        where = f"windows[{n}]"
        ids = [str(i) for i in entry.get("ids", [])]
        if not ids:
            raise ScenarioError(f"{where}.ids: the windows this schedule is for")
        open_s = clock_s(entry.get("open", "09:00"), f"{where}.open")
        close_s = clock_s(entry.get("close", "17:00"), f"{where}.close")
        if close_s <= open_s:
            raise ScenarioError(f"{where}: closes before it opens")
        pauses = []
        for k, p in enumerate(entry.get("pauses", [])):
            at = clock_s(p.get("at", ""), f"{where}.pauses[{k}].at")
            minutes = p.get("minutes")
            if not isinstance(minutes, int | float) or minutes <= 0:
                raise ScenarioError(f"{where}.pauses[{k}].minutes: a positive number")
            pauses.append(Pause(at, float(minutes), str(p.get("reason", "午休"))))
        stagger = float(entry.get("stagger_minutes", 0)) * 60.0
        for j, wid in enumerate(ids):
            w = hall.window(wid)
            if w is None:
                raise ScenarioError(f"{where}.ids: unknown window {wid!r}")
            if w.reserve:
                raise ScenarioError(f"{where}.ids: window {wid} is a reserve window; the simulator opens none")
            if wid in seen:
                raise ScenarioError(f"{where}.ids: window {wid} has two schedules")
            seen.add(wid)
            # Staggered pauses: the first window of the list pauses first (a hall keeps service going).
            shifted = tuple(Pause(p.at_s + j * stagger, p.minutes, p.reason) for p in pauses)
            plans.append(WindowPlan(wid, open_s, close_s, shifted))
    if not plans:
        raise ScenarioError("[[windows]]: give at least one schedule")
    return tuple(plans)


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    try:
        return _scenario(path, doc)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def _scenario(path: Path, doc: dict[str, Any]) -> Scenario:
    head = doc.get("scenario", {})
    hall_path = (path.parent / str(head.get("hall", "../hall.toml"))).resolve()
    try:
        hall = load_hall(hall_path)
    except HallConfigError as exc:
        raise ScenarioError(f"scenario.hall: {exc}") from None
    day = head.get("date", date(2026, 11, 25))
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if not isinstance(day, date):
        raise ScenarioError("scenario.date: a date like 2026-11-25 (a working day)")
    first, rates = _rates(doc, hall)
    behaviour = doc.get("visitors", {})
    return Scenario(
        name=str(head.get("name", path.stem)),
        path=path,
        hall=hall,
        hall_path=hall_path,
        day=day,
        end_s=clock_s(head.get("end", "17:00"), "scenario.end"),
        first_hour=first,
        rates=rates,
        service=_service(doc, hall),
        windows=_windows(doc, hall),
        green_share=_share(behaviour, "green_share", 0.05, "visitors"),
        no_show_share=_share(behaviour, "no_show_share", 0.03, "visitors"),
        transfer_share=_share(behaviour, "transfer_share", 0.02, "visitors"),
        suspend_share=_share(behaviour, "suspend_share", 0.02, "visitors"),
        suspend_minutes=_pair(behaviour, "suspend_minutes", (10.0, 30.0), "visitors"),
        reaction_s=_pair(behaviour, "reaction_s", (5.0, 30.0), "visitors"),
        no_show_after_s=float(behaviour.get("no_show_after_s", 120.0)),
        notes=str(head.get("notes", "")),
    )
