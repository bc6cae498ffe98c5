"""The print spooler inside a running server, and kiosk agents over Socket.IO.

Network, file and dummy printers are driven by `printers.spooler.Spooler` on the `print_jobs`
table. A kiosk PC with a USB printer and no network printer runs `hallq kiosk-agent`; its
kiosk's printer is `agent://`: jobs go to the agent over Socket.IO (`print.job`), the agent
prints and acknowledges each (`print.ack`), and every unacknowledged job is sent again when it
says hello after a reconnect.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from flask_socketio import SocketIO, join_room

from printers.connections import PrinterStatus
from printers.spooler import Spooler
from server.app.context import Services
from server.db import accounts_repo
from server.db.print_jobs_repo import AGENT_SCHEME, SqlJobStore, agent_printer, device_printer, pending_for_printer
from server.db.uow import Actor

from .background import every
from .sockets import identity

log = logging.getLogger("hallq.printing")

SPOOL_EVERY_S = 1.0
AGENT_RESEND_EVERY_S = 15.0


class Printing:
    def __init__(self, socketio: SocketIO, svc: Services, is_leader: Callable[[], bool] = lambda: True) -> None:
        self.socketio, self.svc = socketio, svc
        self.is_leader = is_leader
        self.store = SqlJobStore(svc.engine)
        self.spooler = Spooler(self.store, on_status=self._on_status)
        self.agent_status: dict[str, str] = {}
        svc.printer_status = self.status_of

    def status_of(self, url: str) -> str:
        if url.startswith(AGENT_SCHEME):
            return self.agent_status.get(url, PrinterStatus.UNKNOWN.value)
        return self.spooler.status_of(url).value

    def start(self) -> None:
        every(self.socketio, SPOOL_EVERY_S, "print spooler", self.spool)
        every(self.socketio, AGENT_RESEND_EVERY_S, "kiosk agent resend", self.resend_all)

    def spool(self) -> None:
        # One spooler for the hall: two processes sending the same job would print it twice.
        if self.is_leader():
            self.spooler.run_once(self.svc.clock())

    def kick(self, printer: str) -> None:
        """A job for `printer` was just committed: send it now rather than at the next round."""
        if printer.startswith(AGENT_SCHEME):
            self.push(printer)
        else:
            self.socketio.start_background_task(self.spool)

    def push(self, printer: str) -> int:
        jobs = pending_for_printer(self.svc.engine, printer)
        for job in jobs:
            self.socketio.emit(
                "print.job",
                {"id": job.id, "payload": base64.b64encode(job.payload).decode(), "attempts": job.attempts},
                to=f"agent:{printer[len(AGENT_SCHEME) :]}",
            )
        return len(jobs)

    def resend_all(self) -> None:
        with self.svc.read() as uow:
            names = [
                d.name
                for d in accounts_repo.list_devices(uow.conn)
                if d.revoked_at is None and (d.printer or "").startswith(AGENT_SCHEME)
            ]
        for name in names:
            self.push(agent_printer(name))

    def _on_status(self, url: str, status: PrinterStatus) -> None:
        self.record_status(url, status.value)

    def record_status(self, url: str, status: str) -> None:
        """A printer's status changed: into the audit log, and out to the hall and its kiosks."""
        with self.svc.read() as uow:
            users = [
                d.name
                for d in accounts_repo.list_devices(uow.conn)
                if d.revoked_at is None and device_printer(d.name, d.printer) == url
            ]
        with self.svc.write(Actor("system", None, "print spooler")) as uow:
            uow.audit("printer.status", url, status=status)
            payload = {"printer": {"url": url, "status": status, "devices": users}}
            uow.emit("printer.updated", ["hall", *[f"device:{name}" for name in users]], payload)
            self.svc.commit(uow)

    def register_agent_handlers(self) -> None:
        socketio = self.socketio

        @socketio.on("agent.hello")
        def _hello(data: Any = None) -> dict[str, Any]:
            device = _device()
            if device is None or not (device.get("printer") or "").startswith(AGENT_SCHEME):
                return {
                    "error": {"code": "forbidden", "message": "only a kiosk whose printer is agent:// has an agent"}
                }
            join_room(f"agent:{device['name']}")
            jobs = pending_for_printer(self.svc.engine, agent_printer(device["name"]))
            return {
                "device": device["name"],
                "jobs": [
                    {"id": j.id, "payload": base64.b64encode(j.payload).decode(), "attempts": j.attempts} for j in jobs
                ],
            }

        @socketio.on("print.ack")
        def _ack(data: Any = None) -> dict[str, Any]:
            device = _device()
            if device is None or not isinstance(data, dict) or "id" not in data:
                return {"error": {"code": "invalid", "message": 'send {"id", "ok", "status"} from a paired agent'}}
            printer = agent_printer(device["name"])
            if not any(j.id == str(data["id"]) for j in pending_for_printer(self.svc.engine, printer)):
                return {"ok": True, "known": False}
            now = self.svc.clock()
            if data.get("ok"):
                self.store.mark_printed(str(data["id"]), now)
            else:
                self.store.mark_failed(str(data["id"]), str(data.get("error") or "agent could not print"), now)
            status = str(data.get("status") or ("online" if data.get("ok") else "offline"))
            if self.agent_status.get(printer) != status:
                self.agent_status[printer] = status
                self.record_status(printer, status)
            return {"ok": True, "known": True}


def _device() -> dict[str, Any] | None:
    who = identity()
    return who.get("device") if who["kind"] == "device" else None
