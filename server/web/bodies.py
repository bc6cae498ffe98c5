"""Request bodies, validated with pydantic; also the source of their OpenAPI schemas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Login(Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class IssueTicket(Body):
    item: str | None = Field(default=None, description="service item code (preferred)")
    queue: str | None = Field(default=None, description="queue code, for a kiosk button that names a queue")
    priority: Literal["normal", "green"] = "normal"
    green_reason: Literal["elderly", "disabled", "military", "pregnant"] | None = None
    request_id: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="the kiosk's key for this press: a retry with the same key returns the same ticket",
    )

    @model_validator(mode="after")
    def _one_target(self) -> IssueTicket:
        if not self.item and not self.queue:
            raise ValueError('give "item" (a service item code) or "queue" (a queue code)')
        if self.item and self.queue:
            raise ValueError('give "item" or "queue", not both')
        return self


class Pause(Body):
    reason: str = Field(min_length=1, max_length=200)


class Transfer(Body):
    queue: str | None = None
    window: str | None = None
    note: str = Field(default="", max_length=500)


class Suspend(Body):
    note: str = Field(default="", max_length=500)


class CallNumber(Body):
    number: str = Field(min_length=2, max_length=16)


class HandOver(Body):
    username: str = Field(min_length=1, max_length=64)


class Reprint(Body):
    window: str | None = Field(default=None, description="print at this window's printer")


class Applicant(Body):
    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=15, max_length=18)
    phone: str = Field(default="", max_length=20)


class Finish(Body):
    outcome: Literal["accepted", "notice", "refused", "concluded", "consulted"] | None = None
    applicant: Applicant | None = None
    materials: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    note: str = Field(default="", max_length=1000)
    reason: str = Field(default="", max_length=1000)
    item: str | None = Field(
        default=None, max_length=32, description="service item code, when the ticket names none or another one"
    )


class CaseTransition(Body):
    to: Literal["in_review", "decided_approved", "decided_denied", "delivered"]
    note: str = Field(default="", max_length=1000, description="for decided_denied: the reason, required")
