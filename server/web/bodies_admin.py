"""Request bodies of the admin page's routes (/api/v1/admin/..., /api/v1/hall/notice)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .bodies import Body

NAME = r"^[A-Za-z0-9._-]+$"


class AddUser(Body):
    username: str = Field(min_length=1, max_length=64, json_schema_extra={"pattern": NAME})
    password: str = Field(min_length=8, max_length=256, description="at least 8 characters")
    role: Literal["window", "chief", "manager", "admin"]
    department: str | None = Field(default=None, max_length=16, description="required for a chief")
    name: str = Field(default="", max_length=64, description="the name a window screen shows")
    staff_no: str = Field(default="", max_length=32)


class ResetPassword(Body):
    password: str = Field(min_length=8, max_length=256, description="at least 8 characters")


class DisplaySettings(Body):
    """What a hall display shows: a zone's windows, or the windows named, and their queues."""

    zone: str | list[str] | None = Field(default=None, description="zones of the hall config's windows")
    windows: list[str] | None = Field(default=None, description="window ids; overrides zone")
    queues: list[str] | None = Field(default=None, description="queue codes; default: the windows' queues")
    title: str | None = Field(default=None, max_length=64, description="shown in the header instead of the zone")
    sound: bool | None = Field(default=None, description="false: this screen stays silent")


class PairDevice(Body):
    name: str = Field(min_length=1, max_length=64, json_schema_extra={"pattern": NAME})
    kind: Literal["kiosk", "display", "agent", "platform", "rater"]
    printer: str | None = Field(default=None, max_length=200, description="a kiosk's printer URL")
    settings: DisplaySettings | None = None
    window: str | None = Field(default=None, max_length=16,
                               description="a rating pad's (rater's) window, the one whose visitors it faces")


class UpdateDevice(Body):
    printer: str | None = Field(default=None, max_length=200,
                                description="a kiosk's printer URL; \"\" removes it; absent keeps it")
    settings: DisplaySettings | None = Field(default=None, description="a display's; absent keeps them")


class Notice(Body):
    text: str = Field(max_length=500, description="Chinese; \"\" clears the notice (the hall config's return)")
    text_en: str = Field(default="", max_length=500)

