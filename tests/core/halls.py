"""Small builders for the core's values, so each test states only the shape it cares about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from server.core.hall import Department, Guide, Hall, Hours, Item, Queue, ServedQueue, Window, WindowKind
from server.core.numbering import format_number
from server.core.tickets import Priority, Ticket

# Wednesday 2026-11-25, 10:00 in Beijing (02:00 UTC): a working day, inside opening hours.
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)

GUIDE = Guide(
    legal_basis="《政务服务中心管理办法》",
    conditions="",
    materials=(),
    fee="免费",
    time_limit_days=5,
    contact="0000-0000000",
)


def queue(code: str, prefix: str | None = None, department: str = "D1", digits: int = 3) -> Queue:
    return Queue(
        code=code,
        name=f"队列{code}",
        name_en=f"Queue {code}",
        prefix=prefix or code[:1].upper(),
        department=department,
        digits=digits,
    )


def window(
    window_id: str,
    *served: str | tuple[str, int],
    department: str | None = "D1",
    kind: WindowKind = WindowKind.DEPARTMENT,
    number: int = 1,
) -> Window:
    """`served`: queue codes, or (queue code, weight) pairs."""
    queues = tuple(ServedQueue(s) if isinstance(s, str) else ServedQueue(s[0], s[1]) for s in served)
    return Window(
        id=window_id,
        number=number,
        name=f"{number}号窗口",
        name_en=f"Window {number}",
        kind=kind,
        department=department,
        queues=queues,
    )


def proxy_window(window_id: str, *served: str | tuple[str, int], number: int = 99) -> Window:
    return window(window_id, *served, department=None, kind=WindowKind.PROXY, number=number)


def make_hall(
    queues: Iterable[Queue],
    windows: Iterable[Window],
    *,
    timezone: str = "Asia/Shanghai",
    max_wait_minutes: int = 90,
    typical_minutes: float = 10.0,
) -> Hall:
    queues = tuple(queues)
    windows = tuple(windows)
    codes = sorted({q.department for q in queues} | {w.department for w in windows if w.department})
    departments = tuple(Department(code=c, name=f"部门{c}", name_en=f"Department {c}") for c in codes)
    items = tuple(
        Item(
            code=f"{q.code}-001",
            name=f"事项{q.code}",
            name_en=f"Item {q.code}",
            department=q.department,
            queue=q.code,
            guide=GUIDE,
            typical_minutes=typical_minutes,
        )
        for q in queues
    )
    return Hall(
        code="TEST",
        name="测试政务服务中心",
        name_en="Test service center",
        timezone=timezone,
        public_url="https://hall.example",
        departments=departments,
        items=items,
        queues=queues,
        windows=windows,
        hours=Hours(periods=((time(9), time(12)), (time(13, 30), time(17)))),
        max_wait_minutes=max_wait_minutes,
    )


def ticket(
    queue_code: str,
    seq_no: int = 1,
    *,
    issued_at: datetime = T0,
    prefix: str | None = None,
    priority: Priority = Priority.NORMAL,
    target_window: str | None = None,
) -> Ticket:
    """A waiting ticket, as the kiosk issues it."""
    number = format_number(prefix or queue_code[:1].upper(), seq_no)
    return Ticket(
        id=f"t-{queue_code}-{seq_no}",
        number=number,
        queue=queue_code,
        item=f"{queue_code}-001",
        day=DAY,
        seq_no=seq_no,
        issued_at=issued_at,
        rank_at=issued_at,
        priority=priority,
        green_reason="elderly" if priority is Priority.GREEN else None,
        target_window=target_window,
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
