"""Request bodies, validated with pydantic; also the source of their OpenAPI schemas.

Text is stripped of surrounding spaces before its limits apply, so "   " is empty: the schemas
say so with a pattern next to minLength (`json_schema_extra`, documentation only; pydantic's own
checks stay the rule). Rules across fields (item or queue; queue or window; an applicant for an
outcome that opens a case) are written into the schemas the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import JsonDict, JsonValue

from .errors import ApiError, excerpt

# Times a client may name: wide enough for any hall's records, narrow enough that converting one
# to any time zone stays inside Python's years 1-9999 (9999-12-31T23:59:59Z overflowed in +08:00).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def parse_instant(raw: str, name: str) -> datetime:
    """An ISO 8601 time with its offset, from a query parameter `name`; a 400 otherwise."""
    # A "+08:00" offset arrives as " 08:00" when the client did not percent-encode the "+".
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw.strip())
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_query", f"{name} {excerpt(raw)} is not an ISO 8601 time",
                       f"{name} 须为 ISO 8601 时间") from None
    if at.tzinfo is None:
        raise ApiError(400, "invalid_query", f"{name} {excerpt(raw)} needs a time zone offset, as +08:00 or Z",
                       f"{name} 须带时区，如 +08:00 或 Z")
    try:
        inside = EARLIEST <= at <= LATEST
    except OverflowError:  # its offset takes it past year 1 or 9999
        inside = False
    if not inside:
        raise ApiError(400, "invalid_query", f"{name} {excerpt(raw)} is outside the years 1900 to 8999",
                       f"{name} 须在 1900 至 8999 年之间")
    return at

# At least one, or two, characters other than spaces (Python's `re`, as the schema's pattern).
SOME_TEXT: JsonDict = {"pattern": r"\S"}
TWO_CHARS: JsonDict = {"pattern": r"\S[\s\S]*\S"}
OPENS_CASE: list[JsonValue] = ["accepted", "received", "notice", "refused", "concluded"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Login(Body):
    username: str = Field(min_length=1, max_length=64, json_schema_extra=SOME_TEXT)
    password: str = Field(min_length=1, max_length=256, json_schema_extra=SOME_TEXT)


class IssueTicket(Body):
    model_config = ConfigDict(json_schema_extra={
        "description": 'exactly one of "item", "queue" and "notice" (a blank one counts as absent)',
        "oneOf": [
            {"required": ["item"], "properties": {"item": {"type": "string", **SOME_TEXT}}},
            {"required": ["queue"], "properties": {"queue": {"type": "string", **SOME_TEXT}}},
            {"required": ["notice"], "properties": {"notice": {"type": "string", **SOME_TEXT}}},
        ],
    })
    item: str | None = Field(default=None, description="service item code (preferred)")
    queue: str | None = Field(default=None, description="queue code, for a kiosk button that names a queue")
    notice: str | None = Field(
        default=None, max_length=300,
        description="a returning visitor's notice (一次性告知): its number, or the text its QR code carries; "
        "the ticket is for the notice's item and linked to it (404 no such notice, 409 not a notice)",
    )
    priority: Literal["normal", "green"] = "normal"
    green_reason: Literal["elderly", "disabled", "military", "pregnant"] | None = None
    request_id: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="the kiosk's key for this press: a retry with the same key returns the same ticket",
    )

    @model_validator(mode="after")
    def _one_target(self) -> IssueTicket:
        given = [x for x in (self.item, self.queue, self.notice) if x]
        if not given:
            raise ValueError('give "item" (a service item code), "queue" (a queue code) or "notice" (a notice number)')
        if len(given) > 1:
            raise ValueError('give one of "item", "queue" and "notice", not several')
        return self


class Pause(Body):
    reason: str = Field(min_length=1, max_length=200, json_schema_extra=SOME_TEXT)


class Transfer(Body):
    model_config = ConfigDict(json_schema_extra={
        "description": 'a "queue", a "window" (its first queue, unless "queue" is given), or both',
        "anyOf": [
            {"required": ["queue"], "properties": {"queue": {"type": "string"}}},
            {"required": ["window"], "properties": {"window": {"type": "string"}}},
        ],
    })
    queue: str | None = None
    window: str | None = None
    note: str = Field(default="", max_length=500)


class Suspend(Body):
    note: str = Field(default="", max_length=500)


class CallNumber(Body):
    number: str = Field(min_length=2, max_length=16, json_schema_extra=TWO_CHARS)


class HandOver(Body):
    username: str = Field(min_length=1, max_length=64, json_schema_extra=SOME_TEXT)


class Reprint(Body):
    window: str | None = Field(default=None, description="print at this window's printer")


class Applicant(Body):
    name: str = Field(min_length=1, max_length=64, json_schema_extra=SOME_TEXT)
    id_number: str = Field(min_length=15, max_length=18, description="居民身份证号码, checked in full (check digit)")
    phone: str = Field(default="", max_length=20)


class Finish(Body):
    model_config = ConfigDict(json_schema_extra={
        "description": "an outcome that opens a case needs the applicant; a refusal needs its reason",
        "allOf": [
            {"if": {"required": ["outcome"], "properties": {"outcome": {"enum": OPENS_CASE}}},
             "then": {"required": ["applicant"], "properties": {"applicant": {"type": "object"}}}},
            {"if": {"required": ["outcome"], "properties": {"outcome": {"const": "refused"}}},
             "then": {"required": ["reason"], "properties": {"reason": SOME_TEXT}}},
        ],
    })
    outcome: Literal["accepted", "received", "notice", "refused", "concluded", "consulted"] | None = None
    applicant: Applicant | None = None
    materials: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    note: str = Field(default="", max_length=1000)
    reason: str = Field(default="", max_length=1000)
    item: str | None = Field(
        default=None, max_length=32, description="service item code, when the ticket names none or another one"
    )


class CaseTransition(Body):
    model_config = ConfigDict(json_schema_extra={
        "allOf": [
            {"if": {"properties": {"to": {"const": "decided_denied"}}},
             "then": {"required": ["note", "legal_basis"],
                      "properties": {"note": SOME_TEXT, "legal_basis": SOME_TEXT}}},
            {"if": {"properties": {"to": {"const": "noticed"}}},
             "then": {"required": ["missing"], "properties": {"missing": {"minItems": 1}}}},
        ],
    })
    to: Literal["in_review", "decided_approved", "decided_denied", "delivered", "accepted", "noticed"] = Field(
        description="accepted or noticed answer a received case (收件); the others move an accepted one")
    note: str = Field(default="", max_length=1000, description="for decided_denied: the reason, required")
    legal_basis: str = Field(default="", max_length=500, description=(
        "for decided_denied: the provisions the denial decision cites, required; for decided_approved: "
        "printed on the approval (default: the item guide's legal basis)"))
    missing: list[str] = Field(default_factory=list, max_length=100,
                               description="for noticed: the codes of the materials the notice lists, required")
