"""The hall file's field rules: what one value may be (a code, a text, a period, a day, a URL),
shared by the models of `schema` and `manager`. Each check names the problem in words an admin
editing the TOML file can act on.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainValidator

from printers.urls import PrinterURLError, parse_printer_url

_CODE = re.compile(r"[A-Za-z0-9_-]+")
PREFIX = re.compile(r"[A-Z]{1,2}")
_PERIOD = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})\s*[-–—~～]\s*([0-9]{1,2}):([0-9]{2})\s*")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Case numbers carry the department code after the hall's (CITY-SCJG-2026-000042), see core.cases.
_DEPARTMENT = re.compile(r"[A-Z0-9_]{1,20}")
# The names an announcement template may use: the contract with server.speech, which passes
# all of them, so a template using any other would fail at the first call, in front of visitors.
VOICE_FIELDS = frozenset({"number", "number_en", "window"})


def check_code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError(f'"{value}" is not a valid code: use only letters, digits, "-" and "_"')
    return value


def check_department_code(value: str) -> str:
    if not _DEPARTMENT.fullmatch(value):
        raise ValueError(
            f'"{value}" is not a department code: use 1-20 of A-Z, 0-9 and "_" '
            "(it follows the hall's code in every case number, e.g. CITY-SCJG-2026-000042)"
        )
    return value


def check_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def check_window_id(value: Any) -> Any:
    # An admin writing `id = 12` means the window "12"; refusing that would only annoy.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'unknown timezone "{value}" (use an IANA name such as "Asia/Shanghai")') from None
    return value


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f'"{value}" is not an http(s) URL such as "http://127.0.0.1:5000"')
    # Trailing slash dropped so callers can append "/t/…" without doubling it.
    return value.rstrip("/")


def check_origin(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f'"{value}" is not an origin such as "https://hall.example.gov.cn"')
    return value.rstrip("/")


def check_printer_url(value: str) -> str:
    try:
        parse_printer_url(value)
    except PrinterURLError as e:
        raise ValueError(str(e)) from None
    return value


def check_period(value: Any) -> tuple[time, time]:
    if not isinstance(value, str):
        raise ValueError(f'a period is a string like "09:00-12:00", not {value!r}')
    m = _PERIOD.fullmatch(value)
    if not m:
        raise ValueError(f'"{value}" is not a period; write "HH:MM-HH:MM", e.g. "09:00-12:00"')
    h1, m1, h2, m2 = map(int, m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f'"{value}" has a time that does not exist')
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f'"{value}" ends before it starts')
    return start, end


def check_day(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"{value} is a date and time; give the day only, e.g. 2026-10-01")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2026-10-01")


def check_served(value: Any) -> Any:
    if isinstance(value, str):
        return {"queue": value}
    if isinstance(value, dict):
        return value
    raise ValueError(f'a served queue is a code like "A" or a table like {{queue = "A", weight = 2}}, not {value!r}')


def check_template(value: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as e:
        raise ValueError(f'"{value}" is not a valid template: {e}') from None
    unknown = names - VOICE_FIELDS
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in sorted(VOICE_FIELDS))
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}}; use {allowed}")
    if "window" not in names or not names & {"number", "number_en"}:
        raise ValueError(f'"{value}" must say the number ({{number}}) and the window ({{window}})')
    return value


def not_empty(problem: str) -> AfterValidator:
    def check(value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


Code = Annotated[str, AfterValidator(check_code)]
Text = Annotated[str, AfterValidator(check_text)]
OptionalText = Annotated[str, AfterValidator(str.strip)]
Day = Annotated[date, PlainValidator(check_day)]
Period = Annotated[tuple[time, time], PlainValidator(check_period)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

