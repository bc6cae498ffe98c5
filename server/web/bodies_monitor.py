"""Request bodies of the manager's board routes (api_monitor.py): the monitor's ticket actions,
the what-if of a window move and a proposal to apply. Every change carries a reason for the audit."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from .bodies import Body

CODE = Field(min_length=1, max_length=32, json_schema_extra={"pattern": r"\S"})


class Reason(Body):
    reason: str = Field(min_length=1, max_length=500, json_schema_extra={"pattern": r"\S"},
                        description="why, for the audit log (required)")


class MonitorTransfer(Reason):
    model_config = ConfigDict(json_schema_extra={
        "description": 'a "queue", a "window" (its first queue, unless "queue" is given), or both',
        "anyOf": [
            {"required": ["queue"], "properties": {"queue": {"type": "string"}}},
            {"required": ["window"], "properties": {"window": {"type": "string"}}},
        ],
    })
    queue: str | None = Field(default=None, max_length=32)
    window: str | None = Field(default=None, max_length=32)


class MonitorPriority(Reason):
    priority: Literal["green", "normal"]
    green_reason: Literal["elderly", "disabled", "military", "pregnant"] | None = None


class WhatIf(Body):
    window: str = CODE
    from_: str = Field(alias="from", min_length=1, max_length=32, json_schema_extra={"pattern": r"\S"})
    to: str = CODE


class ApplyProposal(Body):
    rule: str = Field(min_length=1, max_length=80, json_schema_extra={"pattern": r"\S"})
    window: str = CODE
    queue: str = CODE
