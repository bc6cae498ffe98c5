"""The city's board (全市大厅总览, issue 16): every hall of the installation at a glance, for the
staff of the whole installation (a city's manager, its administrator).

The halls are the installation's hall files: the serving hall's own, and every `*.toml` in the
`halls/` folder beside it (or the folder it is in, when that is `halls/`). Each is read once, and
each hall's figures come from the same reads and the same alert rules its own board uses, through a
read-only `Services` of that hall on the shared database: what the city sees of a hall is what the
hall's manager sees, never a second opinion. A hall file that cannot be read is shown as such,
with its problem, not skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.core import monitoring as mon
from server.core.errors import Forbidden
from server.core.hall import Hall
from server.core.windows import Staff, WindowStatus
from server.hallconfig import HallConfigError, load_hall

from .context import Services
from .floor import Floor
from .manage_alerts import alert_json, current_alerts

log = logging.getLogger("hallq.city")

# Shown per hall: its most severe alerts, so the city sees what to phone about first.
TOP_ALERTS = 3
LEVELS = (mon.CRITICAL, mon.WARN, mon.INFO)


def hall_files(config: Path) -> list[Path]:
    """The installation's other hall files, in name order (the serving hall's own comes first anyway)."""
    folder = config.parent / "halls"
    if not folder.is_dir():
        folder = config.parent if config.parent.name == "halls" else None  # type: ignore[assignment]
    if folder is None:
        return []
    own = config.resolve()
    return [p for p in sorted(folder.glob("*.toml")) if p.resolve() != own]


@dataclass(frozen=True)
class Unreadable:
    path: Path
    problem: str


class City:
    """The halls of the installation as this process knows them, read on first use."""

    def __init__(self, svc: Services, config: Path) -> None:
        self._svc, self._config = svc, config
        self._lock = threading.Lock()
        self._halls: list[Services | Unreadable] | None = None

    def halls(self) -> list[Services | Unreadable]:
        with self._lock:
            if self._halls is None:
                self._halls = [self._svc, *self._others()]
            return self._halls

    def _others(self) -> list[Services | Unreadable]:
        seen = {self._svc.hall.code}
        out: list[Services | Unreadable] = []
        for path in hall_files(self._config):
            try:
                hall = load_hall(path)
            except HallConfigError as e:
                log.warning("city board: %s", e)
                out.append(Unreadable(path, str(e)))
                continue
            if hall.code in seen:  # the serving hall's own file under another name
                continue
            seen.add(hall.code)
            out.append(_reader(self._svc, hall))
        return out


def _reader(svc: Services, hall: Hall) -> Services:
    """A hall's read-only services on the shared database and clock: nothing it builds follows a
    commit, prints or speaks."""
    return Services(hall=hall, engine=svc.engine, clock=svc.clock)


def require_city_staff(staff: Staff) -> None:
    if staff.hall is not None or staff.role.value not in ("manager", "admin"):
        raise Forbidden("only managers of the whole installation (a city's manager) see every hall",
                        zh="全市大厅总览仅供全市管理人员使用")


def city_board(city: City, staff: Staff, served: Sequence[str] = ()) -> dict[str, Any]:
    """`served`: the codes of the halls this process serves, its home hall first: their boards
    are linked within this server (`/h/CODE/manage/`), the others' at their `public_url`."""
    require_city_staff(staff)
    rows = [_unreadable(h) if isinstance(h, Unreadable) else _hall_row(h) for h in city.halls()]
    for row in rows:
        row["board_url"] = _board_url(row, served)
    return {"halls": rows, "totals": _totals(rows)}


def _board_url(row: dict[str, Any], served: Sequence[str]) -> str | None:
    if row["code"] is not None and row["code"] in served:
        return "/manage/" if row["code"] == served[0] else f"/h/{row['code']}/manage/"
    return row["public_url"].rstrip("/") + "/manage/" if row["public_url"] else None


def _hall_row(svc: Services) -> dict[str, Any]:
    hall = svc.hall
    with svc.read() as uow:
        floor = Floor.read(svc, uow, window_times=False)
    waiting = floor.load.waiting_counts()
    stats = floor.load.stats
    states = [floor.states.get(w.id) for w in hall.windows]
    alerts = [alert_json(svc, a) for a in current_alerts(svc, floor)]
    return {
        "code": hall.code, "name": hall.name, "name_en": hall.name_en, "public_url": hall.public_url,
        "at": floor.local_now().isoformat(timespec="seconds"),
        "waiting": sum(waiting.values()),
        "longest_wait_s": max(floor.longest_wait_s.values(), default=0),
        "windows": len(hall.windows),
        "windows_open": sum(1 for s in states if s is not None and s.status is WindowStatus.OPEN),
        "windows_paused": sum(1 for s in states if s is not None and s.status is WindowStatus.PAUSED),
        "issued_today": sum(s.get("issued", 0) for s in stats.values()),
        "served_today": sum(s.get("served", 0) for s in stats.values()),
        "alerts": {level: sum(1 for a in alerts if a["level"] == level) for level in LEVELS},
        "top_alerts": alerts[:TOP_ALERTS],
        "problem": None,
    }


def _unreadable(u: Unreadable) -> dict[str, Any]:
    return {"code": None, "name": u.path.name, "name_en": u.path.name, "public_url": None, "at": None,
            "waiting": None, "longest_wait_s": None, "windows": None, "windows_open": None, "windows_paused": None,
            "issued_today": None, "served_today": None, "alerts": dict.fromkeys(LEVELS, 0), "top_alerts": [],
            "problem": u.problem}


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    read = [r for r in rows if r["problem"] is None]

    def total(key: str) -> int:
        return sum(int(r[key]) for r in read)

    return {
        "halls": len(read), "waiting": total("waiting"),
        "longest_wait_s": max((int(r["longest_wait_s"]) for r in read), default=0),
        "windows": total("windows"), "windows_open": total("windows_open"),
        "windows_paused": total("windows_paused"),
        "issued_today": total("issued_today"), "served_today": total("served_today"),
        "alerts": {level: sum(int(r["alerts"][level]) for r in read) for level in LEVELS},
    }
