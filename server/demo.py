"""The demo hall's staff and devices: created once, into the demo database only, and printed."""

from __future__ import annotations

import json
from typing import Any

from server.app import accounts
from server.app.context import Services
from server.db import accounts_repo
from server.settings import Settings

DEMO_PASSWORD = "hallq-demo"

# The demo hall's staff, but for its administrator, who is the whole installation's (`all_halls`):
# one admin account for every hall the installation serves.
STAFF: list[dict[str, Any]] = [
    {"name": "admin", "role": "admin", "display_name": "系统管理员", "all_halls": True},
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
    {"name": "kiosk-1", "kind": "kiosk", "printer": "file://{var}/kiosk-1-printer.bin"},
    {"name": "kiosk-2", "kind": "kiosk", "printer": None},
    {"name": "display-hall", "kind": "display"},
    {"name": "display-windows", "kind": "display"},
    # Window 1's rating pad (好差评): scjg01 finishes a service there, the visitor rates it.
    {"name": "rater-1", "kind": "rater", "settings": {"window": "1"}},
]


def seed(svc: Services, settings: Settings) -> dict[str, Any]:
    default_db = f"sqlite:///{settings.var_dir / 'hallq.db'}"
    if settings.db_url != default_db:
        raise ValueError(f"demo accounts go into the demo database ({default_db}) only, not {settings.db_url}")
    creds_path = settings.var_dir / "demo-credentials.json"
    saved = json.loads(creds_path.read_text()) if creds_path.exists() else {}
    keys: dict[str, str] = {}
    with svc.read() as uow:
        users = {s["name"]: accounts_repo.user_row(uow.conn, s["name"]) for s in STAFF}
        devices = {d["name"]: accounts_repo.device_by_name(uow.conn, d["name"]) for d in DEVICES}
    for s in STAFF:
        if users[s["name"]] is None:
            accounts.add_user(svc, s["name"], DEMO_PASSWORD, s["role"], s.get("department"),
                              s.get("display_name", ""), s.get("staff_no", ""), all_halls=s.get("all_halls", False))
    for d in DEVICES:
        name = d["name"]
        if devices[name] is not None and name in saved.get("devices", {}):
            keys[name] = saved["devices"][name]
            continue
        if devices[name] is not None:
            accounts.revoke_device(svc, name)
        printer = d.get("printer")
        keys[name] = accounts.add_device(
            svc, name, d["kind"], printer=printer.format(var=settings.var_dir) if printer else None,
            settings=d.get("settings"),
        )
    creds = {"password": DEMO_PASSWORD, "users": [s["name"] for s in STAFF], "devices": keys}
    creds_path.write_text(json.dumps(creds, indent=2, ensure_ascii=False))
    _print(creds, settings)
    return creds


def _print(creds: dict[str, Any], settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    print(f"Demo hall accounts (password for all: {creds['password']}):")
    for s in STAFF:
        print(f"  {s['name']:<12} {s['role']:<8} {s.get('department') or '-':<6} {s.get('display_name', '')}")
    print("Demo devices (keys also in var/demo-credentials.json):")
    for name, key in creds["devices"].items():
        print(f"  {name:<16} {key}")
    k = creds["devices"]
    print("Open:")
    print(f"  kiosk          {base}/kiosk/?key={k['kiosk-1']}")
    print(f"  hall screen    {base}/display/hall?key={k['display-hall']}")
    print(f"  window screen  {base}/display/window/1?key={k['display-windows']}")
    print(f"  rating pad     {base}/rater/?key={k['rater-1']}   (window 1)")
    print(f"  console        {base}/console/")
    print(f"  API            {base}/api/v1/catalog   (OpenAPI: {base}/api/v1/openapi.json)")
