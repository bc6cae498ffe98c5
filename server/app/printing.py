"""Paper for visitors: the ticket a kiosk prints, and reprints asked for by staff.

A print job is written in the transaction of the ticket it prints, as bytes rendered for the
printer's profile, and the spooler sends it afterwards: a slow or dead printer never delays a
visitor's number, and a kill -9 between the two loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from printers.escpos_render import render
from printers.layout import ticket_document
from server.core import calling
from server.core import windows as win
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.estimate import range_minutes
from server.core.hall import Hall, PrinterProfile
from server.core.windows import Staff
from server.db import accounts_repo, print_jobs_repo, tickets_repo, windows_repo
from server.db.print_jobs_repo import device_printer
from server.db.uow import Actor, UnitOfWork

from .context import Services
from .views import HallLoad, ticket_view


def profile_for(hall: Hall, name: str | None) -> PrinterProfile:
    if name:
        found = hall.printer_profile(name)
        if found is None:
            raise Invalid(f"unknown printer profile {name!r}")
        return found
    return hall.printer_profiles[0]


def ticket_bytes(hall: Hall, view: dict[str, Any], profile: PrinterProfile) -> bytes:
    queue = hall.queue(view["queue"])
    dept = hall.department(queue.department) if queue else None
    wait = view.get("estimated_wait_s")
    wait_range = view.get("estimated_wait_range_s")
    appointment = view.get("appointment")
    doc = ticket_document(
        hall_name=hall.name,
        hall_name_en=hall.name_en,
        number=view["number"],
        department=dept.name if dept else "",
        department_en=dept.name_en if dept else "",
        item=view.get("item_name") or view.get("queue_name") or "",
        item_en=view.get("item_name_en") or view.get("queue_name_en") or "",
        people_ahead=int(view.get("ahead") or 0),
        wait_minutes=None if wait is None else round(wait / 60),
        wait_range_minutes=range_minutes(*wait_range) if wait_range else None,
        issued_at=datetime.fromisoformat(view["issued_at"]),
        status_url=view["status_url"],
        paper_mm=profile.paper_mm,
        tz=ZoneInfo(hall.timezone),
        appointment_slot=(
            (datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"]))
            if appointment else None
        ),
    )
    return render(doc, profile)


def enqueue_ticket(uow: UnitOfWork, hall: Hall, view: dict[str, Any], device: dict[str, Any], printer: str) -> int:
    """The ticket's print job, in the issuing transaction, at the kiosk's printer."""
    profile = profile_for(hall, (device.get("settings") or {}).get("printer_profile"))
    return print_jobs_repo.enqueue_print(
        uow.conn, printer, ticket_bytes(hall, view, profile), "ticket", view["id"], now=uow.now
    )


def reprint_ticket(svc: Services, staff: Staff, ticket_id: str, window: str | None = None) -> dict[str, Any]:
    """Staff print a ticket again: at the printer of a window they hold (or oversee) that may serve
    it, else at the kiosk that issued it when some window they may work at serves it."""
    hall = svc.hall
    with svc.write(Actor("staff", staff.id, staff.username)) as uow:
        t = tickets_repo.get(uow.conn, ticket_id)
        if t is None:
            raise NotFound("unknown ticket")
        printer, profile_name = None, None
        if window is not None:
            w = hall.window(window)
            if w is None:
                raise NotFound(f"unknown window {window!r}")
            # Only at a window one holds (or oversees), and only a ticket that window may serve.
            if windows_repo.get(uow.conn, w.id).staff_id != staff.id and not win.may_oversee(w, staff):
                raise Forbidden(f"{staff.username}不在{w.name}值守 / {staff.username} is not signed in at {w.name_en}")
            calling.require_may_serve(hall, w, t)
            printer = print_jobs_repo.window_printer_override(uow.conn, w.id) or w.printer
        else:
            calling.require_staff_may_serve(hall, staff, t)
        if printer is None:
            device = accounts_repo.device_of_ticket(uow.conn, ticket_id)
            if device is not None and device.printer:
                printer = device_printer(device.name, device.printer)
                profile_name = (device.settings or {}).get("printer_profile")
        if printer is None:
            raise Invalid(f"no printer for ticket {t.number}: neither the window nor its kiosk has one")
        load = HallLoad.read(uow.conn, hall, svc.today(uow.now), uow.now)
        view = ticket_view(uow.conn, hall, t, load)
        job = print_jobs_repo.enqueue_print(
            uow.conn, printer, ticket_bytes(hall, view, profile_for(hall, profile_name)), "ticket", t.id, now=uow.now
        )
        uow.audit("ticket.reprint", t.number, ticket=t.id, printer=printer, job=job)
        uow.after_commit(lambda _committed: svc.printers.wake(printer))
        svc.commit(uow)
    return {"ticket": view, "print_job": job, "printer": printer}
