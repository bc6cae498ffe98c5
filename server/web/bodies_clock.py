"""Request bodies of the case clock routes (server.web.api_case_clock): extensions and suspensions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .bodies import SOME_TEXT, Body


def _text(description: str) -> object:
    return Field(min_length=1, max_length=1000, json_schema_extra={**SOME_TEXT, "description": description})


class ExtensionRequest(Body):
    days: int = Field(ge=1, le=365, description="working days to add to the promised date (the hall config "
                      "bounds them: [case_clock] max_extension_days)")
    reason: str = _text("why the time limit cannot be kept")  # type: ignore[assignment]
    legal_basis: str = _text("the provision allowing the extension, e.g. 《行政许可法》第四十二条")  # type: ignore[assignment]


class ExtensionDecision(Body):
    note: str = Field(default="", max_length=1000, description="the approver's words; required to reject")


class SuspensionStart(Body):
    kind: Literal["expert_review", "hearing", "public_notice", "testing", "other"] = Field(
        description="专家评审, 听证, 公示, 检验检测 or another lawful ground")
    reason: str = _text("what the case waits for")  # type: ignore[assignment]
