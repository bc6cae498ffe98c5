"""Request bodies of the manager's allocation routes (server.web.api_manage), validated with pydantic."""

from __future__ import annotations

from pydantic import Field

from server.core.allocation import MAX_REASON, MAX_WEIGHT

from .bodies import Body

REASON = Field(min_length=1, max_length=MAX_REASON, json_schema_extra={
    "pattern": r"\S", "description": "why: kept in the audit with who and when"})


class ServedQueueBody(Body):
    queue: str = Field(min_length=1, max_length=16, json_schema_extra={"pattern": r"\S"})
    weight: int = Field(default=1, ge=1, le=MAX_WEIGHT, strict=True)


class WindowQueues(Body):
    queues: list[ServedQueueBody] = Field(min_length=1, max_length=64)
    reason: str = REASON
    force: bool = Field(default=False, description="leave a queue with waiting visitors and no window "
                        "anyway (article 26: the alert is raised)")


class ItemQueue(Body):
    queue: str = Field(min_length=1, max_length=16, json_schema_extra={"pattern": r"\S"})
    reason: str = REASON
    force: bool = False


class Undo(Body):
    reason: str = Field(default="", max_length=MAX_REASON)
    force: bool = False


class Reserve(Body):
    open: bool
    reason: str = REASON
    force: bool = False
