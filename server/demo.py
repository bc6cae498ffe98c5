"""The demo's staff and devices: created once, into the demo database only, and printed.

The demo city (issue 16) is one installation of three halls on one database: the municipal center
(config/hall.toml) and two district centers (config/halls/). Seeding a hall makes its own staff
and devices; a district's names start with its code ("east-manager", "east-kiosk-1"), since
usernames and device names are unique over the installation. The installation's own accounts
(its administrator, the city's manager) are made by whichever hall is seeded first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.app import accounts
from server.app.context import Services
from server.db import accounts_repo
from server.hallconfig import DEFAULT_CONFIG, load_hall
from server.settings import Settings

DEMO_PASSWORD = "hallq-demo"

# The demo hall's staff, but for its administrator, who is the whole installation's (`all_halls`):
# one admin account for every hall the installation serves.
STAFF: list[dict[str, Any]] = [
    {"name": "admin", "role": "admin", "display_name": "系统管理员", "all_halls": True},
    # The city's overview of every hall (/manage/city).
    {"name": "city-manager", "role": "manager", "display_name": "市政务服务管理局 总览", "all_halls": True},
    {"name": "manager", "role": "manager", "display_name": "大厅主任 王敏"},
    {"name": "chief-scjg", "role": "chief", "department": "SCJG", "display_name": "首席代表 李强", "staff_no": "SC001"},
    {"name": "scjg01", "role": "window", "department": "SCJG", "display_name": "张丽", "staff_no": "SC101"},
    {"name": "scjg02", "role": "window", "department": "SCJG", "display_name": "陈刚", "staff_no": "SC102"},
    {"name": "crj01", "role": "window", "department": "CRJ", "display_name": "赵雪", "staff_no": "CR101"},
    {"name": "rsj01", "role": "window", "department": "RSJ", "display_name": "刘洋", "staff_no": "RS101"},
    {"name": "bdc01", "role": "window", "department": "BDC", "display_name": "孙伟", "staff_no": "BD101"},
    {"name": "proxy01", "role": "window", "display_name": "周敏（综合代理）", "staff_no": "ZH101"},
]

DEVICES: list[dict[str, Any]] = [
    # Named after the device, prefix and all: a district's kiosk printed into the municipal
    # kiosk's file when the three halls shared this name.
    {"name": "kiosk-1", "kind": "kiosk", "printer": "file://{var}/{name}-printer.bin"},
    {"name": "kiosk-2", "kind": "kiosk", "printer": None},
    {"name": "display-hall", "kind": "display"},
    {"name": "display-windows", "kind": "display"},
    # Window 1's rating pad (好差评): scjg01 finishes a service there, the visitor rates it.
    {"name": "rater-1", "kind": "rater", "settings": {"window": "1"}},
]


def demo_names(svc: Services) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """The seeded hall's prefix, staff and devices: the municipal center's as listed, a district's
    (any other hall) with its code before each name and without the installation's own accounts."""
    if svc.hall.code == load_hall(DEFAULT_CONFIG).code:
        return "", STAFF, DEVICES
    prefix = f"{svc.hall.code}-"
    staff = [{**s, "name": prefix + s["name"]} for s in STAFF if not s.get("all_halls")]
    devices = [{**d, "name": prefix + d["name"]} for d in DEVICES]
    return prefix, staff, devices


def credentials_path(svc: Services, settings: Settings) -> Path:
    prefix, _, _ = demo_names(svc)
    return settings.var_dir / f"demo-credentials{'-' + prefix.rstrip('-') if prefix else ''}.json"


def seed(svc: Services, settings: Settings) -> dict[str, Any]:
    default_db = f"sqlite:///{settings.var_dir / 'hallq.db'}"
    if settings.db_url != default_db:
        raise ValueError(f"demo accounts go into the demo database ({default_db}) only, not {settings.db_url}")
    prefix, staff, devices_wanted = demo_names(svc)
    creds_path = credentials_path(svc, settings)
    saved = json.loads(creds_path.read_text()) if creds_path.exists() else {}
    keys: dict[str, str] = {}
    with svc.read() as uow:
        users = {s["name"]: accounts_repo.user_row(uow.conn, s["name"]) for s in staff}
        devices = {d["name"]: accounts_repo.device_by_name(uow.conn, d["name"]) for d in devices_wanted}
    for s in staff:
        if users[s["name"]] is None:
            accounts.add_user(svc, s["name"], DEMO_PASSWORD, s["role"], s.get("department"),
                              s.get("display_name", ""), s.get("staff_no", ""), all_halls=s.get("all_halls", False))
    for d in devices_wanted:
        name = d["name"]
        printer = d["printer"].format(var=settings.var_dir, name=name) if d.get("printer") else None
        row = devices[name]
        # A demo seeded before each device had its own printer file is mended by seeding again.
        if row is not None and name in saved.get("devices", {}) and row.printer == printer:
            keys[name] = saved["devices"][name]
            continue
        if row is not None:
            accounts.revoke_device(svc, name)
        keys[name] = accounts.add_device(svc, name, d["kind"], printer=printer, settings=d.get("settings"))
    creds = {"password": DEMO_PASSWORD, "hall": svc.hall.code, "users": [s["name"] for s in staff], "devices": keys}
    creds_path.write_text(json.dumps(creds, indent=2, ensure_ascii=False))
    _print(creds, svc.hall.public_url.rstrip("/"), prefix, staff, creds_path)
    return creds


def _print(creds: dict[str, Any], base: str, prefix: str, staff: list[dict[str, Any]], creds_path: Path) -> None:
    """`base`: the hall's public address (its hall file's `public_url`)."""
    print(f"Demo accounts of hall {creds['hall']} (password for all: {creds['password']}):")
    for s in staff:
        print(f"  {s['name']:<18} {s['role']:<8} {s.get('department') or '-':<6} {s.get('display_name', '')}")
    print(f"Demo devices (keys also in {creds_path}):")
    for name, key in creds["devices"].items():
        print(f"  {name:<20} {key}")
    k = {name[len(prefix):]: key for name, key in creds["devices"].items()}
    print("Open:")
    print(f"  kiosk          {base}/kiosk/?key={k['kiosk-1']}")
    print(f"  hall screen    {base}/display/hall?key={k['display-hall']}")
    print(f"  window screen  {base}/display/window/1?key={k['display-windows']}")
    print(f"  rating pad     {base}/rater/?key={k['rater-1']}   (window 1)")
    print(f"  console        {base}/console/")
    print(f"  city overview  {base}/manage/city   (city-manager)")
    print(f"  API            {base}/api/v1/catalog   (OpenAPI: {base}/api/v1/openapi.json)")
