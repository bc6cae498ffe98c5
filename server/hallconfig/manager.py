"""The hall file's settings for the manager's board: the staffing target, the alert thresholds and
the overflow rules (跨窗通办). Checked here one entry at a time, like `schema`; that the queues and
windows they name exist is checked in `loader` with the rest of the cross-references.

Kept apart from `schema` (which imports these) so neither grows past a readable size; the few
field rules both need are restated here rather than imported, since `schema` imports this module.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from server.core import hall as core

_CODE = re.compile(r"[A-Za-z0-9_-]+")


def _code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError(f'"{value}" is not a valid code: use only letters, digits, "-" and "_"')
    return value


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _window_id(value: Any) -> Any:
    # As in [[windows]]: `window = 12` means the window "12".
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Code = Annotated[str, AfterValidator(_code)]
Text = Annotated[str, AfterValidator(_text)]
Minutes = Annotated[float, Field(gt=0, le=480)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StaffingIn(_Model):
    """The staffing recommendations' target: `share` of visitors called within `wait_minutes`,
    planned per interval of `interval_minutes` (docs/staffing.md)."""

    share: Annotated[float, Field(gt=0, lt=1)] = 0.8
    wait_minutes: Minutes = 15
    interval_minutes: Literal[10, 15, 20, 30, 60] = 30

    def to_core(self) -> core.StaffingTarget:
        return core.StaffingTarget(float(self.share), float(self.wait_minutes), self.interval_minutes)


class AlertsIn(_Model):
    """The manager's board raises an alert past these."""

    longest_wait_minutes: Minutes = 30
    # Per queue, overriding longest_wait_minutes: { C = 45 }.
    queue_longest_wait_minutes: dict[Code, Minutes] = {}
    # Per pause reason as the console names them; any other reason gets other_pause_minutes.
    pause_minutes: dict[Text, Minutes] = {"午休": 90, "会议": 60, "暂时离开": 15}
    other_pause_minutes: Minutes = 30

    def to_core(self) -> core.AlertThresholds:
        return core.AlertThresholds(
            float(self.longest_wait_minutes),
            tuple((q, float(m)) for q, m in self.queue_longest_wait_minutes.items()),
            tuple((r, float(m)) for r, m in self.pause_minutes.items()),
            float(self.other_pause_minutes),
        )


class OverflowIn(_Model):
    """跨窗通办: past either threshold, propose that `window` also serve `queue` with `weight`;
    an automatic rule applies its proposal itself."""

    name: Code
    queue: Code
    window: Annotated[str, BeforeValidator(_window_id), AfterValidator(_code)]
    weight: Annotated[int, Field(ge=1, le=100)] = 1
    waiting_over: Annotated[int, Field(ge=0)] | None = None
    longest_wait_minutes_over: Minutes | None = None
    automatic: bool = False

    @model_validator(mode="after")
    def _condition(self) -> OverflowIn:
        if self.waiting_over is None and self.longest_wait_minutes_over is None:
            raise ValueError("has no condition; set waiting_over, longest_wait_minutes_over or both")
        return self

    def to_core(self) -> core.OverflowRule:
        over = self.longest_wait_minutes_over
        return core.OverflowRule(self.name, self.queue, self.window, self.weight, self.waiting_over,
                                 None if over is None else float(over), self.automatic)
