"""The hall file's [evaluation]: the weights of the monthly evaluation's score (article 27; the
formula is in server/core/evaluation.py and printed on the report).

    [evaluation]
    satisfaction = 40   # 满意率
    on_time = 30        # 按时办结率
    no_show = 20        # 1 − 过号率
    pause = 10          # 1 − 暂停占比

Each weight is 0 to 100 and together they make 100, so a window perfect in every term scores 100.
Kept apart from `schema` like manager.py, which it follows.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.core import evaluation as core

Weight = Annotated[float, Field(ge=0, le=100)]


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    satisfaction: Weight = 40
    on_time: Weight = 30
    no_show: Weight = 20
    pause: Weight = 10

    @model_validator(mode="after")
    def _sum(self) -> EvaluationIn:
        total = self.satisfaction + self.on_time + self.no_show + self.pause
        if abs(total - 100) > 1e-9:
            raise ValueError(f"the weights sum to {total:g}; they must sum to 100")
        return self

    def to_core(self) -> core.Weights:
        return core.Weights(float(self.satisfaction), float(self.on_time), float(self.no_show), float(self.pause))
