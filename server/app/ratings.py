"""好差评: rating a service (一次一评) and a case (一事一评), and asking the window's pad to.

- `rate_ticket`: anyone holding the ticket's id (the phone page, channel "phone") or the rating
  pad of the window that served it (a `rater` device, channel "pad"), once the service finished.
- `rate_case`: anyone holding the case's progress token (channel "case"), once it is delivered
  or concluded.
- `request_rating`: inside a window's finish, `rating.requested` to that window's pad.

A rating is one transaction: the rating row (unique per ticket and per case: a second one, also
two racing, is 409), its audit entry, its events and its outbox row for the provincial rating
system commit together. Who rated is recorded nowhere; the service rated (department, item,
queue, window, the staff of its last call) is copied onto the rating. Events:

    rating.requested  rater:WINDOW   the pad's form: ticket, number, item, staff name and 工号
    rating.received   window:WINDOW  {ticket, number, window}: a rating came in, never its level
    rating.created    ratings        the rating with its level: managers and the department's chief
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.core import rating
from server.core.errors import Forbidden, NotFound
from server.core.tickets import Ticket
from server.core.windows import Staff
from server.db import accounts_repo, cases_repo, monitor_repo, ratings_repo, tickets_repo
from server.db.ratings_repo import Subject
from server.db.uow import Actor, UnitOfWork

from . import followups, outbox
from .context import Services
from .rating_views import form_config, full_view, rating_view
from .rooms import RATINGS, rater_room

# Nobody in particular: the audit log names the channel, never the person who rated.
VISITOR = Actor("visitor", None, "visitor")


def _actor(device: dict[str, Any] | None) -> Actor:
    return Actor("device", device["id"], device["name"]) if device else VISITOR


def pad_window(device: dict[str, Any]) -> str:
    """The window a rating pad is paired to (its settings' `window`); Forbidden when none."""
    window = (device.get("settings") or {}).get("window")
    if window is None or str(window) == "":
        raise Forbidden(f"the rating pad {device['name']} is paired to no window; set its settings' window",
                        zh="评价器未配对窗口")
    return str(window)


def rate_ticket(svc: Services, ticket_id: str, body: dict[str, Any], device: dict[str, Any] | None = None) -> dict:
    """Rate the service of a ticket; `device`: the rating pad posting it, else the phone."""
    given = rating.validate(svc.hall.ratings, body.get("level"), body.get("tags"), body.get("comment"))
    with svc.write(_actor(device)) as uow:
        t = tickets_repo.get(uow.conn, ticket_id)
        if t is None:
            raise NotFound("unknown ticket")
        window, staff_id = ratings_repo.last_call_staff(uow.conn, t.id)
        window = window or t.window
        if device is not None and pad_window(device) != window:
            raise Forbidden(f"this pad is paired to window {pad_window(device)}; the ticket was served at "
                            f"{window or 'no window'}", zh="评价器只能评价其配对窗口办理的业务")
        if device is not None and not _just_finished(svc, t, uow.now):
            # A pad asks right after a finish and times out; an older service is rated on the phone,
            # so that whoever holds the pad cannot fill in the window's unrated past.
            raise Forbidden("the pad rates only the service just finished at its window; rate older ones on the "
                            "phone page", zh="评价器只能评价刚办结的业务，之前的业务请在手机上评价")
        rating.require_ticket_ratable(
            t.status.value, forced=bool(monitor_repo.forced(uow.conn, [t.id])),
            rated=ratings_repo.by_ticket(uow.conn, t.id) is not None,
        )
        subject = Subject(day=t.day, ticket_id=t.id, department=_department(svc, t), item=t.item, queue=t.queue,
                          window=window, staff_id=staff_id)
        row = ratings_repo.add(uow.conn, subject, given, "pad" if device else "phone", uow.now)
        _record(svc, uow, row)
        if window:
            uow.emit("rating.received", [f"window:{window}"], {"ticket": t.id, "number": t.number, "window": window})
        svc.commit(uow)
    return {"rating": rating_view(svc.hall, row)}


# How long after a finish its pad may still send the rating: the pad's own timeout and a margin
# for a slow post.
PAD_MARGIN_S = 60


def _just_finished(svc: Services, t: Ticket, now: datetime) -> bool:
    if t.finished_at is None:
        return True  # not finished at all: require_ticket_ratable answers that (409)
    return (now - t.finished_at).total_seconds() <= svc.hall.ratings.pad_timeout_s + PAD_MARGIN_S


def rate_case(svc: Services, token: str, body: dict[str, Any]) -> dict:
    """Rate a case by its progress page's token (一事一评), once delivered or concluded."""
    given = rating.validate(svc.hall.ratings, body.get("level"), body.get("tags"), body.get("comment"))
    with svc.write(VISITOR) as uow:
        stored = cases_repo.by_token(uow.conn, token) if token and len(token) <= 64 else None
        if stored is None:
            raise NotFound("unknown case")
        case = stored.case
        rating.require_case_ratable(case.status.value,
                                    rated=ratings_repo.by_case(uow.conn, case.number) is not None)
        t = tickets_repo.get(uow.conn, stored.ticket_id) if stored.ticket_id else None
        subject = Subject(day=case.accepted_on, ticket_id=None, case_number=case.number,
                          department=case.department, item=case.item, queue=t.queue if t else None,
                          window=stored.window, staff_id=stored.opened_by)
        row = ratings_repo.add(uow.conn, subject, given, "case", uow.now)
        _record(svc, uow, row)
        svc.commit(uow)
    return {"rating": rating_view(svc.hall, row)}


def _department(svc: Services, t: Ticket) -> str | None:
    item = svc.hall.item(t.item) if t.item else None
    if item is not None:
        return item.department
    queue = svc.hall.queue(t.queue)
    return queue.department if queue else None


def _record(svc: Services, uow: UnitOfWork, row: dict[str, Any]) -> None:
    """The rating's audit entry, its event for those who may see its level, and its outbox row."""
    staff = accounts_repo.staff_by_id(uow.conn, row["staff_id"]) if row["staff_id"] else None
    who = {"id": staff.id, "name": staff.display_name or staff.username, "staff_no": staff.staff_no} if staff else None
    ticket = tickets_repo.get(uow.conn, row["ticket_id"]) if row["ticket_id"] else None
    view = full_view(svc.hall, row, who, ticket.number if ticket else None)
    uow.audit("rating.add", f"rating-{row['id']}", rating=row["id"], ticket=row["ticket_id"],
              case=row["case_number"], channel=row["channel"], level=row["level"], window=row["window"])
    uow.emit("rating.created", [RATINGS], {"rating": view})
    outbox.record(svc, uow, f"rating-{row['id']}", "rating.created", {"rating": view},
                  destination=outbox.RATINGS)
    _after_rating(svc, uow, row)


def _after_rating(svc: Services, uow: UnitOfWork, row: dict[str, Any]) -> None:
    """What follows a new rating in its own transaction: a poor one (level 1 or 2) opens its
    follow-up (差评整改) for the department's chief, so a rating never exists without it."""
    if row["level"] in rating.POOR:
        followups.open_for(svc, uow, row)


def request_rating(svc: Services, uow: UnitOfWork, window_id: str, t: Ticket, staff: Staff) -> None:
    """In a window's finish by its staff: the window's pad shows the form for this service."""
    item = svc.hall.item(t.item) if t.item else None
    queue = svc.hall.queue(t.queue)
    w = svc.hall.window(window_id)
    uow.emit("rating.requested", [rater_room(window_id)], {
        "ticket": t.id, "number": t.number, "item": t.item,
        "item_name": item.name if item else (queue.name if queue else t.queue),
        "item_name_en": item.name_en if item else (queue.name_en if queue else t.queue),
        "staff": {"name": staff.display_name or staff.username, "staff_no": staff.staff_no},
        "window": window_id, "window_name": w.name if w else window_id, "window_name_en": w.name_en if w else "",
        **form_config(svc.hall),
    })


def ticket_form(svc: Services, ticket_id: str) -> dict[str, Any]:
    """What the phone page's rating form starts from: whether the ticket is rated, the levels, tags."""
    with svc.read() as uow:
        rated = ratings_repo.by_ticket(uow.conn, ticket_id) is not None
        forced = bool(monitor_repo.forced(uow.conn, [ticket_id]))
    return {"rated": rated, "forced": forced, **form_config(svc.hall)}


def case_form(svc: Services, token: str) -> dict[str, Any] | None:
    """The progress page's rating form: None when there is no such case."""
    if not token or len(token) > 64:
        return None
    with svc.read() as uow:
        stored = cases_repo.by_token(uow.conn, token)
        if stored is None:
            return None
        rated = ratings_repo.by_case(uow.conn, stored.number) is not None
    open_ = stored.case.status.value in rating.RATABLE_CASE_STATUSES
    return {"rated": rated, "open": open_ and not rated, "token": token, **form_config(svc.hall)}
