"""The readable audit log (issue #12 point 5): hall managers search and export who did what and
when, from the event log every change writes (article 31).

GET /api/v1/audit/log reads a page, newest first; the same filters export as CSV or XLSX. The
filters are SQL (server/db/audit_repo.py); here they are checked, the days turned into the hall's
midnights, and each entry labelled in Chinese and English (server/core/audit_labels.py). The
older GET /api/v1/audit (allocation changes with their before and after) stays as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from server.core.audit_labels import IMPORTANT, LABELS, actions_matching, label
from server.core.errors import Forbidden, Invalid
from server.core.windows import Role, Staff
from server.db import audit_repo

from .context import Services
from .floor import day_start
from .sheets import Table
from .views import iso

PAGE = 100
MAX_PAGE = 500
# An export holds at most this many entries, the newest; narrow the range for older ones.
MAX_EXPORT = 50_000
MAX_TEXT = 100


@dataclass(frozen=True)
class Filters:
    first: date | None = None
    last: date | None = None
    action: str | None = None  # an action name, a prefix ending in ".", or several, comma-separated
    actor: str | None = None
    text: str | None = None


def require_auditor(staff: Staff) -> None:
    if staff.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden("only hall managers and administrators may read the audit log",
                        zh="只有大厅主任和系统管理员可以查阅审计日志")


def _short(value: str | None, name: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise Invalid(f"{name} is longer than {MAX_TEXT} characters", zh=f"{name} 不能超过{MAX_TEXT}个字符", where=name)
    return text or None


def _query(svc: Services, f: Filters, before_seq: int | None, limit: int) -> audit_repo.AuditQuery:
    if f.first is not None and f.last is not None and f.first > f.last:
        raise Invalid("from is after to", zh="起始日期晚于结束日期", where="from")
    text = _short(f.text, "q")
    actions = [a.strip() for a in (_short(f.action, "action") or "").split(",") if a.strip()]
    return audit_repo.AuditQuery(
        since=day_start(svc.hall, f.first) if f.first else None,
        until=day_start(svc.hall, f.last + timedelta(days=1)) if f.last else None,
        actions=actions,
        actor=_short(f.actor, "actor"),
        text=text,
        also_actions=actions_matching(text) if text else (),
        before_seq=before_seq,
        limit=limit,
    )


def _entry(svc: Services, row: Any) -> dict[str, Any]:
    lb = label(row.action)
    return {
        "seq": row.seq,
        "at": iso(svc.hall, row.at),
        "actor": {"kind": row.actor_kind, "name": row.actor_name},
        "action": row.action,
        "label": {"zh": lb.zh, "en": lb.en},
        "subject": row.subject,
        "detail": row.detail if isinstance(row.detail, dict) else {},
    }


def search(svc: Services, staff: Staff, f: Filters, *, limit: int = PAGE,
           before_seq: int | None = None) -> dict[str, Any]:
    """A page of matching entries, newest first; `next_before_seq` continues below it (null: the end)."""
    require_auditor(staff)
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be 1 to {MAX_PAGE}", zh=f"limit 须在1到{MAX_PAGE}之间", where="limit")
    q = _query(svc, f, before_seq, limit + 1)
    with svc.read() as uow:
        rows = audit_repo.search(uow.conn, q)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"entries": [_entry(svc, r) for r in rows],
            "next_before_seq": rows[-1].seq if more and rows else None}


def actions() -> dict[str, Any]:
    """The labelled action names, and the kinds the page offers first."""
    return {
        "important": [{"action": a.action, "zh": a.zh, "en": a.en} for a in IMPORTANT],
        "actions": [{"action": a.action, "zh": a.zh, "en": a.en} for a in LABELS.values()],
    }


HEADERS = ("时间 Time", "操作人 Actor", "身份 Actor kind", "操作 Action", "操作代码 Action code", "对象 Subject",
           "详情 Detail")


def export(svc: Services, staff: Staff, f: Filters) -> Table:
    """Every matching entry (the newest MAX_EXPORT), newest first, as a table."""
    require_auditor(staff)
    with svc.read() as uow:
        rows = audit_repo.search(uow.conn, _query(svc, f, None, MAX_EXPORT + 1))
    # More than an export holds: the file says it has the newest MAX_EXPORT only, never silently.
    cut = len(rows) > MAX_EXPORT
    rows = rows[:MAX_EXPORT]
    out = []
    for r in rows:
        e = _entry(svc, r)
        out.append([e["at"], e["actor"]["name"], e["actor"]["kind"], f"{e['label']['zh']} {e['label']['en']}",
                    e["action"], e["subject"], json.dumps(e["detail"], ensure_ascii=False, sort_keys=True)])
    span = f"{f.first or '…'} – {f.last or '…'}"
    return Table(title="审计日志 Audit log", headers=HEADERS, rows=out,
                 notes=[f"{svc.hall.name} 审计日志 Audit log", f"范围 Range: {span}",
                        *([f"仅含最新 {MAX_EXPORT} 条，请缩小范围导出其余 / only the newest {MAX_EXPORT}: "
                           "narrow the range for the rest"] if cut else [])])
