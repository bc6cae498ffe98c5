"""The hall file's [waits] section (issue 13): what the waiting-time estimate should know of the
hall's own rota. Kept in its own module like `manager`; `schema` imports it.

    [waits]
    # Lunch in rotation: between 11:30 and 13:30 about 45% of each queue's windows are away.
    planned_pauses = [{ period = "11:30-13:30", share = 0.45 }]
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from server.core import hall as core

from .fields import Period


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PlannedPauseIn(_Model):
    period: Period
    share: Annotated[float, Field(gt=0, lt=1)]

    def to_core(self) -> core.PlannedPause:
        start, end = self.period
        return core.PlannedPause(start, end, float(self.share))


class WaitsIn(_Model):
    planned_pauses: list[PlannedPauseIn] = []

    def to_core(self) -> tuple[core.PlannedPause, ...]:
        return tuple(p.to_core() for p in self.planned_pauses)
