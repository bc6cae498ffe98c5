"""Taking a number at a kiosk."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core.errors import Invalid, NotFound, NotIssuing
from server.core.hall import ClosedQueuePolicy, Hall, Queue
from server.core.numbering import format_number
from server.core.tickets import GREEN_REASONS, Priority, Ticket, cancel
from server.db import counters_repo, stats_repo, tickets_repo
from server.db.print_jobs_repo import device_printer
from server.db.uow import Actor

from .accounts import kiosk_for_key
from .changes import Changes
from .context import Services
from .printing import enqueue_ticket
from .views import HallLoad, ticket_view
from .workcal import hall_calendar


def resolve_queue(hall: Hall, item: str | None, queue: str | None) -> tuple[Queue, str | None]:
    if item:
        found = hall.item(item)
        if found is None:
            raise NotFound(f"unknown service item {item!r}")
        return hall.queue(found.queue), found.code  # type: ignore[return-value]
    if queue:
        q = hall.queue(queue)
        if q is None:
            raise NotFound(f"unknown queue {queue!r}")
        return q, None
    raise Invalid('give "item" (a service item code) or "queue" (a queue code)')


def issuing_refusal(hall: Hall, now: datetime) -> str | None:
    """Why the hall issues no number now, or None while it does."""
    local = now.astimezone(ZoneInfo(hall.timezone))
    if not hall_calendar(hall).is_workday(local.date()):
        return "今天不是工作日，大厅不办理业务 / The hall is closed today (not a working day)"
    if not hall.hours.issuing(local.time()):
        return "当前不在取号时间内 / Tickets are issued only during opening hours"
    return None


def issue_ticket(
    svc: Services,
    actor: Actor,
    *,
    item: str | None = None,
    queue: str | None = None,
    priority: str | None = None,
    green_reason: str | None = None,
    device: dict[str, Any] | None = None,
    device_key: str | None = None,
    ignore_hours: bool = False,
    request_key: str | None = None,
) -> dict[str, Any]:
    """Issue a number; when the kiosk has a printer, its print job commits with the ticket.

    A kiosk's request passes its `device_key`: the key is checked in the issuing transaction
    itself, which spares every ticket a transaction of its own for it."""
    try:
        return _issue(svc, actor, item=item, queue=queue, priority=priority, green_reason=green_reason,
                      device=device, device_key=device_key, ignore_hours=ignore_hours, request_key=request_key)
    except NotIssuing as exc:
        if "queue" in exc.details:  # refused because no window serves the queue: the board counts it
            record_refusal(svc, actor, str(exc.details["queue"]), device, device_key)
        raise


def record_refusal(
    svc: Services, actor: Actor, queue: str, device: dict[str, Any] | None, device_key: str | None
) -> None:
    """A visitor turned away because no window served the queue (article 26): one row in its own
    transaction (the refused issue rolled back). A measurement, not a change of the hall: no event
    and no seq (a refusal publishes nothing); the board's periodic check raises the alert."""
    with svc.write(actor) as uow:
        if device_key is not None:
            device = kiosk_for_key(uow.conn, device_key)
            uow.actor = Actor("device", device["id"], device["name"])
        stats_repo.record_refusal(uow.conn, uow.now, svc.today(uow.now), queue, "refused",
                                  device["id"] if device else None)
        svc.commit(uow)


def _issue(
    svc: Services,
    actor: Actor,
    *,
    item: str | None,
    queue: str | None,
    priority: str | None,
    green_reason: str | None,
    device: dict[str, Any] | None,
    device_key: str | None,
    ignore_hours: bool,
    request_key: str | None,
) -> dict[str, Any]:
    hall = svc.hall
    with svc.write(actor) as uow:
        now = uow.now
        if device_key is not None:
            device = kiosk_for_key(uow.conn, device_key)
            uow.actor = Actor("device", device["id"], device["name"])
        q, item_code = resolve_queue(hall, item, queue)
        prio = Priority.NORMAL
        if priority not in (None, "normal"):
            if priority != Priority.GREEN.value:
                raise Invalid(f'unknown priority {priority!r}; use "green" for the green channel')
            prio = Priority.GREEN
            if green_reason is not None and green_reason not in GREEN_REASONS:
                raise Invalid(f"green channel reason must be one of {', '.join(GREEN_REASONS)}")
        if device and request_key and (done := tickets_repo.find_by_request(uow.conn, device["id"], request_key)):
            # The kiosk lost our answer and asks again: the visitor gets the number already made.
            load = HallLoad.read(uow.conn, hall, svc.today(now), now)
            return ticket_view(uow.conn, hall, done, load)
        if not ignore_hours and (why := issuing_refusal(hall, now)):
            raise NotIssuing(why)
        day = svc.today(now)
        load = HallLoad.read(uow.conn, hall, day, now)
        warning = None
        # Article 26: a window paused for lunch will be back, so its queue keeps issuing; only a
        # queue nobody is signed in for (before staff arrive at opening, or all its windows
        # closed) falls under the hall's `closed_queue_policy`.
        if not load.served(q.code):
            if hall.closed_queue_policy is ClosedQueuePolicy.REFUSE:
                raise NotIssuing(
                    f"{q.name}暂无窗口办理，请咨询服务台 / "
                    f"No window is serving {q.name_en} now; please ask at the desk",
                    queue=q.code,
                )
            warning = (
                f"{q.name}暂无窗口办理，窗口开放后按顺序叫号，等待时间未知 / No window is open for {q.name_en} yet; "
                "you will be called in turn once one opens, waiting time unknown"
            )
            stats_repo.record_refusal(uow.conn, now, day, q.code, "warned", device["id"] if device else None)
        seq_no = counters_repo.next_counter(uow.conn, f"ticket:{q.code}:{day.isoformat()}")
        t = Ticket(
            id=secrets.token_urlsafe(16),
            number=format_number(q.prefix, seq_no, q.digits),
            queue=q.code,
            item=item_code,
            day=day,
            seq_no=seq_no,
            issued_at=now,
            rank_at=now,
            priority=prio,
            green_reason=green_reason if prio is Priority.GREEN else None,
        )
        tickets_repo.add(uow.conn, t, device["id"] if device else None, request_key if device else None)
        uow.audit("ticket.issue", t.number, ticket=t.id, queue=q.code, item=item_code, priority=prio.value)
        load.add_waiting(t)
        changes = Changes(svc, uow)
        changes.ticket("ticket.issued", t)
        view = changes.emit(load)[t.id]
        printer = device_printer(device["name"], device.get("printer")) if device else None
        if printer:
            enqueue_ticket(uow.conn, hall, view, device, now)  # type: ignore[arg-type]
        svc.commit(uow)
    if printer:
        # The kiosk shows the QR code and asks the visitor to photograph it when its printer is out.
        view = {**view, "print": {"printer_status": svc.printer_status(printer), "printer": printer}}
    if warning:
        view = {**view, "warning": warning}
    return view


def expire_previous_days(svc: Services) -> int:
    """Tickets still waiting from an earlier day are cancelled: numbering restarted at midnight."""
    with svc.write(Actor("system", None, "day rollover")) as uow:
        stale = tickets_repo.stale_waiting(uow.conn, svc.today(uow.now))
        if not stale:
            return 0
        changes = Changes(svc, uow)
        for t in stale:
            done = replace(cancel(t, uow.now), note="day ended / 当日未办理，已作废")
            tickets_repo.save(uow.conn, done)
            changes.ticket("ticket.updated", done)
        uow.audit("day.rollover", "", cancelled=len(stale))
        changes.emit()
        svc.commit(uow)
        return len(stale)

