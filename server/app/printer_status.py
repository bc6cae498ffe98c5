"""A printer's status changed: into the audit log, and out to the hall and the kiosks using it."""

from __future__ import annotations

from server.db import accounts_repo
from server.db.print_jobs_repo import device_printer
from server.db.uow import Actor

from .context import Services

SPOOLER = Actor("system", None, "print spooler")


def record_status(svc: Services, url: str, status: str) -> None:
    with svc.read() as uow:
        users = [
            d.name
            for d in accounts_repo.list_devices(uow.conn)
            if d.revoked_at is None and device_printer(d.name, d.printer) == url
        ]
    with svc.write(SPOOLER) as uow:
        uow.audit("printer.status", url, status=status)
        payload = {"printer": {"url": url, "status": status, "devices": users}}
        uow.emit("printer.updated", ["hall", *[f"device:{name}" for name in users]], payload)
        svc.commit(uow)
