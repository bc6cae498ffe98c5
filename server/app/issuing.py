"""Taking a number at a kiosk."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.core.errors import Invalid, NotFound, NotIssuing
from server.core.hall import ClosedQueuePolicy, Hall, Queue
from server.core.numbering import format_number
from server.core.tickets import GREEN_REASONS, Priority, Ticket, cancel
from server.db import batch, counters_repo, stats_repo, tickets_repo
from server.db.print_jobs_repo import device_printer
from server.db.uow import Actor, UnitOfWork

from . import allocated
from .accounts import kiosk_for_key, kiosk_of, kiosk_query
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


# Who asks until the kiosk's key is checked, in the issuing transaction.
KIOSK = Actor("device", None, "kiosk")


@dataclass(frozen=True)
class TicketRequest:
    """What a kiosk asks for: a service item (or a queue), the channel, and the kiosk.

    A kiosk's request passes its `device_key`, checked in the issuing transaction itself, which
    spares every ticket a transaction of its own for it; `request_key` makes its retry safe."""

    item: str | None = None
    queue: str | None = None
    priority: str | None = None
    green_reason: str | None = None
    device_key: str | None = None
    request_key: str | None = None
    ignore_hours: bool = False
    follows_case: str | None = None  # a returning visitor's notice (server.app.returning)
    # Set only by a booking's check-in (server.app.appointment_checkin), never from a kiosk's body:
    # its code (the ticket is then of priority "appointment") and its place in line.
    appointment: str | None = None
    rank_at: datetime | None = None


def issue_ticket(svc: Services, actor: Actor, req: TicketRequest) -> dict[str, Any]:
    """Issue a number; when the kiosk has a printer, its print job commits with the ticket and
    the spooler is woken once it has. A visitor turned away because no window serves the queue
    is counted for the manager's board."""
    try:
        return _issue(svc, actor, req)
    except NotIssuing as exc:
        if "queue" in exc.details:  # refused because no window serves the queue: the board counts it
            record_refusal(svc, actor, str(exc.details["queue"]), req.device_key)
        raise


def record_refusal(svc: Services, actor: Actor, queue: str, device_key: str | None) -> None:
    """A visitor turned away because no window served the queue (article 26): one row in its own
    transaction (the refused issue rolled back). A measurement, not a change of the hall: no event
    and no seq (a refusal publishes nothing); the board's periodic check raises the alert."""
    with svc.write(actor) as uow:
        device = None
        if device_key is not None:
            device = kiosk_for_key(uow.conn, device_key)
            uow.actor = Actor("device", device["id"], device["name"])
        stats_repo.record_refusal(uow.conn, uow.now, svc.today(uow.now), queue, "refused",
                                  device["id"] if device else None)
        svc.commit(uow)


def _issue(svc: Services, actor: Actor, req: TicketRequest) -> dict[str, Any]:
    with svc.write(actor) as uow:
        now, day = uow.now, svc.today(uow.now)
        # The allocation's version, the hall's load and the kiosk: one round trip on PostgreSQL
        # (server/db/batch.py).
        versions, states, stats, *kiosk = batch.read_all(uow.conn, [
            allocated.versions_query(uow), *HallLoad.queries(uow.conn, day),
            *([kiosk_query(uow.conn, req.device_key)] if req.device_key is not None else [])])
        hall = allocated.current(svc, uow, allocated.to_versions(versions)).hall  # it routes the item (article 24)
        load = HallLoad.of(hall, day, now, states, stats)
        device = None
        if req.device_key is not None:
            device = kiosk_of(next(iter(kiosk[0]), None) if req.device_key else None)
            uow.actor = Actor("device", device["id"], device["name"])
        q, item_code = resolve_queue(hall, req.item, req.queue)
        prio = priority_of(req)
        done = None
        if device and req.request_key:
            done = tickets_repo.find_by_request(uow.conn, device["id"], req.request_key)
        if done is not None:
            # The kiosk lost our answer and asks again: the visitor gets the number already made.
            return ticket_view(uow.conn, hall, done, HallLoad.read(uow.conn, hall, svc.today(now), now))
        if not req.ignore_hours and (why := issuing_refusal(hall, now)):
            raise NotIssuing(why)
        issued = issue_in(svc, uow, hall, device, q, item_code, prio, req, load=load)
        svc.commit(uow)
    return issued.answer(svc)


@dataclass(frozen=True)
class Issued:
    """A ticket issued in a transaction not yet committed: its view, and what the kiosk is told
    about its printer and its queue once it is."""

    ticket: Ticket
    view: dict[str, Any]
    printer: str | None
    warning: str | None

    def answer(self, svc: Services) -> dict[str, Any]:
        view = self.view
        if self.printer:
            # The kiosk shows the QR code and asks the visitor to photograph it when its printer is out.
            view = {**view, "print": {"printer_status": svc.printers.status_of(self.printer)}}
        if self.warning:
            view = {**view, "warning": self.warning}
        return view


def issue_in(svc: Services, uow: UnitOfWork, hall: Hall, device: dict[str, Any] | None, q: Queue,
             item_code: str | None, prio: Priority, req: TicketRequest,
             printed: dict[str, Any] | None = None, linked: Callable[[Ticket], object] | None = None,
             warn_only: bool = False, load: HallLoad | None = None) -> Issued:
    """The number itself, in the caller's transaction (kiosk and hours already checked): the ticket,
    its audit detail, its events, and its print job at the kiosk's printer. `printed`: more for the
    view the ticket is printed from (an appointment's slot); `linked`: what the caller writes with
    the ticket before its events are built (the booking checked in with it), so they show it.
    `warn_only`: a queue no window serves is warned of, never refused (a booked visitor on time:
    the hall took the booking, its closed queue is not theirs to pay for). `load`: the hall's, when
    the caller read it with its own first reads."""
    now, day = uow.now, svc.today(uow.now)
    load = load or HallLoad.read(uow.conn, hall, day, now)
    warning = unserved_warning(hall, q, load, refuse=not warn_only)
    if warning:
        stats_repo.record_refusal(uow.conn, now, day, q.code, "warned", device["id"] if device else None)
    t = replace(_new_ticket(uow, q, item_code, prio, req.green_reason, day, rank_at=req.rank_at),
                follows_case=req.follows_case, appointment=req.appointment if prio is Priority.APPOINTMENT else None)
    tickets_repo.add(uow.conn, t, device["id"] if device else None, req.request_key if device else None)
    if linked is not None:
        linked(t)
    uow.audit("ticket.issue", t.number, ticket=t.id, queue=q.code, item=item_code,
              priority=prio.value, **({"follows_case": t.follows_case} if t.follows_case else {}))
    load.add_waiting(t)
    changes = Changes(svc, uow)
    changes.ticket("ticket.issued", t)
    view = changes.emit(load)[t.id]
    printer = device_printer(device["name"], device.get("printer")) if device else None
    if printer and device:
        enqueue_ticket(uow, hall, {**view, **(printed or {})}, device, printer)
        uow.after_commit(lambda _committed: svc.printers.wake(printer))
    return Issued(t, view, printer, warning)


def priority_of(req: TicketRequest) -> Priority:
    if req.priority == Priority.APPOINTMENT.value:
        raise Invalid("appointment tickets come only from a booking's check-in: "
                      "POST /api/v1/appointments/{code}/check-in", zh="预约号只能通过预约签到取得")
    if req.priority in (None, "normal"):
        return Priority.NORMAL
    if req.priority != Priority.GREEN.value:
        raise Invalid(f'unknown priority {req.priority!r}; use "green" for the green channel')
    if req.green_reason is not None and req.green_reason not in GREEN_REASONS:
        raise Invalid(f"green channel reason must be one of {', '.join(GREEN_REASONS)}")
    return Priority.GREEN


def unserved_warning(hall: Hall, q: Queue, load: HallLoad, *, refuse: bool = True) -> str | None:
    """What the visitor is told when nobody serves their queue now; raises when the hall refuses.

    Article 26: a window paused for lunch will be back, so its queue keeps issuing; only a queue
    nobody is signed in for (before staff arrive at opening, or all its windows closed) falls
    under the hall's `closed_queue_policy`."""
    if load.served(q.code):
        return None
    if refuse and hall.closed_queue_policy is ClosedQueuePolicy.REFUSE:
        raise NotIssuing(
            f"{q.name}暂无窗口办理，请咨询服务台 / No window is serving {q.name_en} now; please ask at the desk",
            queue=q.code,
        )
    return (
        f"{q.name}暂无窗口办理，窗口开放后按顺序叫号，等待时间未知 / No window is open for {q.name_en} yet; "
        "you will be called in turn once one opens, waiting time unknown"
    )


def _new_ticket(
    uow: UnitOfWork, q: Queue, item_code: str | None, prio: Priority, green_reason: str | None, day: date,
    *, rank_at: datetime | None = None,
) -> Ticket:
    """`rank_at`: its place in line when not its issue (an appointment's, core.appointments.ticket_place)."""
    seq_no = counters_repo.next_counter(uow.conn, f"ticket:{q.code}:{day.isoformat()}")
    return Ticket(
        id=secrets.token_urlsafe(16),
        number=format_number(q.prefix, seq_no, q.digits),
        queue=q.code,
        item=item_code,
        day=day,
        seq_no=seq_no,
        issued_at=uow.now,
        rank_at=rank_at or uow.now,
        priority=prio,
        green_reason=green_reason if prio is Priority.GREEN else None,
    )


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

