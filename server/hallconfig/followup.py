"""The hall file's [followup] section: by when each step of a poor rating's follow-up (差评整改) is
due, in working days of the hall calendar from the day the rating came in.

Provinces set these differently (a call back within 1 working day is common; rectification within
5 or within 15), so the hall says its own. The days are cumulative from the rating, and a later
step may not be due before an earlier one.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.core import hall as core

# A follow-up longer than two months of working days is no follow-up.
Days = Annotated[int, Field(ge=0, le=40)]


class FollowupIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    called_back_days: Days = 1
    verified_days: Days = 3
    rectified_days: Days = 5
    answered_days: Days = 5

    @model_validator(mode="after")
    def _in_order(self) -> FollowupIn:
        steps = [("called_back_days", self.called_back_days), ("verified_days", self.verified_days),
                 ("rectified_days", self.rectified_days), ("answered_days", self.answered_days)]
        for (before, a), (after, b) in zip(steps, steps[1:], strict=False):
            if b < a:
                raise ValueError(f"{after} = {b} is before {before} = {a}: the days count from the rating, "
                                 "so a later step cannot be due sooner")
        return self

    def to_core(self) -> core.FollowupLimits:
        return core.FollowupLimits(self.called_back_days, self.verified_days, self.rectified_days,
                                   self.answered_days)
