"""The admin page's handlers: staff accounts and devices, without a terminal (issue 11, point 8).

Each wraps the handler the `hallq user` / `hallq device` commands use (server.app.accounts), so
the rules are said once; what this adds is who may do it (admins change accounts and devices,
managers may look), the actor the audit names, and a display's settings and a kiosk's printer
checked against the hall before they are stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from printers.urls import PrinterURLError, parse_printer_url
from server.core.errors import DomainError, Forbidden, Invalid, NotFound
from server.core.windows import Role, Staff
from server.db import accounts_repo
from server.db.print_jobs_repo import AGENT_SCHEME
from server.db.uow import Actor

from . import accounts
from .context import Services
from .rooms import device_room
from .views import iso

LOOKS = (Role.MANAGER, Role.ADMIN)
CHANGES = (Role.ADMIN,)
# What a display's settings may hold (display/static/hall.js reads them); other keys stay as stored.
DISPLAY_KEYS = ("zone", "windows", "queues", "title", "sound")
# A display whose settings changed takes a fresh snapshot and reads them again (display.js).
RESYNC = "resync"


class OwnAccount(DomainError):
    """An admin may not disable their own account (and lock the hall out of its admin page)."""

    kind = "conflict"
    code = "own_account"


class BadPrinter(Invalid):
    """A printer URL that cannot be used."""

    code = "invalid_printer"


def _may(staff: Staff, roles: tuple[Role, ...]) -> None:
    if staff.role not in roles:
        if roles == CHANGES:
            raise Forbidden("只有管理员可以管理账号和设备 / only an admin manages accounts and devices")
        raise Forbidden("只有大厅主任或管理员可以查看 / only a manager or an admin may see this")


def _actor(staff: Staff) -> Actor:
    return Actor("staff", staff.id, staff.username)


# -- staff accounts ---------------------------------------------------------------------------------

def list_users(svc: Services, staff: Staff) -> dict[str, Any]:
    _may(staff, LOOKS)
    return {"users": [_user_json(svc, u) for u in accounts.list_users(svc)]}


def _user_json(svc: Services, u: dict[str, Any]) -> dict[str, Any]:
    return {**u, **{k: _iso(svc, u[k]) for k in ("slowed_until", "last_login")}}


def _iso(svc: Services, at: datetime | None) -> str | None:
    return iso(svc.hall, at)


def _one_user(svc: Services, username: str) -> dict[str, Any]:
    found = [u for u in accounts.list_users(svc) if u["username"] == username]
    if not found:
        raise NotFound(f"没有该账号 / no user named {username!r}")
    return _user_json(svc, found[0])


def add_user(svc: Services, staff: Staff, *, username: str, password: str, role: str,
             department: str | None = None, name: str = "", staff_no: str = "") -> dict[str, Any]:
    _may(staff, CHANGES)
    accounts.add_user(svc, username, password, role, department or None, display_name=name, staff_no=staff_no,
                      actor=_actor(staff))
    return {"user": _one_user(svc, username)}


def set_disabled(svc: Services, staff: Staff, username: str, disabled: bool) -> dict[str, Any]:
    _may(staff, CHANGES)
    if disabled and username == staff.username:
        raise OwnAccount("不能停用自己的账号 / you cannot disable your own account")
    revoked = accounts.set_disabled(svc, username, disabled, actor=_actor(staff))
    return {"user": _one_user(svc, username), "tokens_revoked": revoked}


def reset_password(svc: Services, staff: Staff, username: str, password: str) -> dict[str, Any]:
    _may(staff, CHANGES)
    revoked = accounts.reset_password(svc, username, password, actor=_actor(staff))
    return {"user": _one_user(svc, username), "tokens_revoked": revoked}


def unlock(svc: Services, staff: Staff, username: str) -> dict[str, Any]:
    _may(staff, CHANGES)
    accounts.unlock_user(svc, username, actor=_actor(staff))
    return {"user": _one_user(svc, username)}


# -- devices ----------------------------------------------------------------------------------------

def _device_json(svc: Services, row: Any) -> dict[str, Any]:
    return {**accounts.device_json(row), "created_at": _iso(svc, row.created_at)}


def list_devices(svc: Services, staff: Staff) -> dict[str, Any]:
    _may(staff, LOOKS)
    with svc.read() as uow:
        rows = accounts_repo.list_devices(uow.conn)
    return {"devices": [_device_json(svc, r) for r in rows if r.revoked_at is None]}


def pair_device(svc: Services, staff: Staff, *, name: str, kind: str, printer: str | None = None,
                settings: dict[str, Any] | None = None, window: str | None = None) -> dict[str, Any]:
    """A new device and its key, which this answer shows once: only its digest is kept. A rating
    pad names its window; accounts.add_device checks it is one of the hall's."""
    _may(staff, CHANGES)
    printer = check_printer(kind, name, printer)
    if (kind == "rater") != (window is not None):
        raise Invalid("评价器须指定窗口，其他设备不指定 / a rating pad (rater) names its window; other devices do not",
                      where="window")
    clean = check_settings(svc, kind, {}, settings) if settings is not None else {}
    if window is not None:
        clean = {"window": window}
    key = accounts.add_device(svc, name, kind, printer=printer, settings=clean, actor=_actor(staff))
    with svc.read() as uow:
        row = accounts_repo.device_by_name(uow.conn, name)
    return {"device": _device_json(svc, row), "key": key}


def update_device(svc: Services, staff: Staff, name: str, *, printer: str | None = None,
                  settings: dict[str, Any] | None = None, printer_given: bool = False) -> dict[str, Any]:
    """A kiosk's printer or a display's settings; a display picks its new settings up at once."""
    _may(staff, CHANGES)
    with svc.write(_actor(staff)) as uow:
        row = accounts_repo.device_by_name(uow.conn, name)
        if row is None or row.revoked_at is not None:
            raise NotFound(f"没有该设备 / no device named {name!r}")
        values: dict[str, Any] = {}
        if printer_given:
            values["printer"] = check_printer(row.kind, name, printer)
        if settings is not None:
            values["settings"] = check_settings(svc, row.kind, row.settings or {}, settings)
        if not values:
            raise Invalid("请给出 printer 或 settings / give printer or settings")
        accounts_repo.update_device(uow.conn, row.id, **values)
        uow.audit("device.update", name, **values)
        uow.emit(RESYNC, [device_room(row.id)], {"reason": "device_settings"})
        svc.commit(uow)
    with svc.read() as uow:
        fresh = accounts_repo.device_by_name(uow.conn, name)
    return {"device": _device_json(svc, fresh)}


def revoke_device(svc: Services, staff: Staff, name: str) -> None:
    _may(staff, CHANGES)
    with svc.read() as uow:
        row = accounts_repo.device_by_name(uow.conn, name)
    if row is None or row.revoked_at is not None:
        raise NotFound(f"没有该设备 / no device named {name!r}")
    accounts.revoke_device(svc, name, actor=_actor(staff))


def check_printer(kind: str, name: str, printer: str | None) -> str | None:
    """A kiosk's printer URL as stored, or None for none; a 400 naming what is wrong otherwise."""
    printer = (printer or "").strip()
    if not printer:
        return None
    if kind != "kiosk":
        raise BadPrinter(f"只有取号机有打印机 / only a kiosk has a printer, not a {kind}", where="printer")
    if printer.startswith(AGENT_SCHEME):
        if printer != AGENT_SCHEME + name:
            raise BadPrinter(f"打印代理地址须为 {AGENT_SCHEME}{name} / an agent printer is {AGENT_SCHEME}{name}",
                          where="printer")
        return printer
    try:
        parse_printer_url(printer)
    except PrinterURLError as exc:
        raise BadPrinter(f"打印机地址有误 / {exc}", where="printer") from None
    return printer


def check_settings(svc: Services, kind: str, stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """A display's settings with the zones, windows and queues checked against the hall config;
    keys the page does not manage (set with `hallq device add --settings`) are kept."""
    if kind != "display":
        raise Invalid(f"只有显示屏有显示设置 / only a display has these settings, not a {kind}", where="settings")
    hall = svc.hall
    zones = {w.zone for w in hall.windows if w.zone}
    windows = {w.id for w in hall.windows}
    queues = {q.code for q in hall.queues}
    zone = given.get("zone")
    for z in [zone] if isinstance(zone, str) else zone or []:
        if z not in zones:
            raise Invalid(f"没有该区域 / unknown zone {z!r}; zones: {', '.join(sorted(zones))}", where="settings.zone")
    for w in given.get("windows") or []:
        if w not in windows:
            raise Invalid(f"没有该窗口 / unknown window {w!r}", where="settings.windows")
    for q in given.get("queues") or []:
        if q not in queues:
            raise Invalid(f"没有该队列 / unknown queue {q!r}", where="settings.queues")
    out = {k: v for k, v in stored.items() if k not in DISPLAY_KEYS}
    out.update({k: v for k, v in given.items() if k in DISPLAY_KEYS and v not in (None, "", [])})
    return out
