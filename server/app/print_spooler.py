"""The print spooler of a running server, and its kiosk agents.

Network, file and dummy printers are driven by `printers.spooler.Spooler` on the `print_jobs`
table. A kiosk PC with a USB printer and no network printer runs `hallq kiosk-agent`; its
kiosk's printer is `agent://`: jobs go to the agent over its live connection (`send`, which the
transport provides), the agent prints and acknowledges each (`acknowledge`), and every
unacknowledged job is sent again when it says hello after a reconnect, and every so often.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from printers.connections import PrinterStatus
from printers.jobs import Job
from printers.spooler import Spooler
from server.core.errors import Forbidden, Invalid
from server.db import accounts_repo
from server.db.engine import Engine
from server.db.print_jobs_repo import (
    AGENT_SCHEME,
    SqlJobStore,
    agent_printer,
    due_jobs_of_halls,
    pending_for_printer,
)
from server.db.uow import Actor, UnitOfWork

log = logging.getLogger("hallq.printing")

SPOOL_EVERY_S = 1.0
AGENT_RESEND_EVERY_S = 15.0
READER = Actor("reader", None, "print spooler")

# (device name, job as the agent takes it): the transport sends it to that kiosk's agent.
Send = Callable[[str, dict[str, Any]], None]


def job_json(job: Job) -> dict[str, Any]:
    return {"id": job.id, "payload": base64.b64encode(job.payload).decode(), "attempts": job.attempts}


class PrintSpooler:
    """What the hall's handlers see as `Services.printers`, and what the transport's agent
    handlers call. `on_status(url, status)`: a printer's status changed (it is recorded and
    announced, server.app.printer_status)."""

    def __init__(
        self,
        engine: Engine,
        hall: str,
        clock: Callable[[], datetime],
        *,
        on_status: Callable[[str, str], None],
        spawn: Callable[[Callable[[], object]], object],
        send: Send,
        is_leader: Callable[[], bool] = lambda: True,
    ) -> None:
        self.engine, self.hall, self.clock = engine, hall, clock
        self.on_status, self.spawn, self.send, self.is_leader = on_status, spawn, send, is_leader
        self.store = SqlJobStore(engine, hall)
        self.spooler = Spooler(self.store, on_status=lambda url, status: self.on_status(url, status.value))
        self.agent_status: dict[str, str] = {}

    def status_of(self, url: str) -> str:
        if url.startswith(AGENT_SCHEME):
            return self.agent_status.get(url, PrinterStatus.UNKNOWN.value)
        return self.spooler.status_of(url).value

    def wake(self, printer: str) -> None:
        """A job for `printer` was just committed: send it now rather than at the next round."""
        if printer.startswith(AGENT_SCHEME):
            self.push(printer)
        else:
            self.spawn(self.spool)

    def spool(self) -> None:
        # One spooler for the hall: two processes sending the same job would print it twice.
        if self.is_leader():
            self.spooler.run_once(self.clock())

    def push(self, printer: str) -> int:
        jobs = pending_for_printer(self.engine, self.hall, printer)
        for job in jobs:
            self.send(printer[len(AGENT_SCHEME) :], job_json(job))
        return len(jobs)

    def resend_all(self) -> None:
        with UnitOfWork(self.engine, READER, self.clock(), hall=self.hall, write=False) as uow:
            names = [
                d.name
                for d in accounts_repo.list_devices(uow.conn)
                if d.revoked_at is None and (d.printer or "").startswith(AGENT_SCHEME)
            ]
        for name in names:
            self.push(agent_printer(name))

    @staticmethod
    def agent_of(device: dict[str, Any] | None) -> str:
        """The kiosk whose agent says hello; refused unless its printer is an agent."""
        if device is None or not (device.get("printer") or "").startswith(AGENT_SCHEME):
            raise Forbidden("only a kiosk whose printer is agent:// has an agent")
        return str(device["name"])

    def hello(self, name: str) -> dict[str, Any]:
        """A kiosk's agent (re)connects: its unacknowledged jobs, to print now."""
        jobs = pending_for_printer(self.engine, self.hall, agent_printer(name))
        return {"device": name, "jobs": [job_json(j) for j in jobs]}

    def acknowledge(self, device: dict[str, Any] | None, ack: Any) -> dict[str, Any]:
        """The agent printed a job (`ok`), or could not; `status`: its printer's, as it saw it."""
        if device is None or not isinstance(ack, dict) or "id" not in ack:
            raise Invalid('send {"id", "ok", "status"} from a paired agent')
        printer = agent_printer(device["name"])
        job_id = str(ack["id"])
        if not any(j.id == job_id for j in pending_for_printer(self.engine, self.hall, printer)):
            return {"ok": True, "known": False}
        now = self.clock()
        if ack.get("ok"):
            self.store.mark_printed(job_id, now)
        else:
            self.store.mark_failed(job_id, str(ack.get("error") or "agent could not print"), now)
        status = str(ack.get("status") or ("online" if ack.get("ok") else "offline"))
        if self.agent_status.get(printer) != status:
            self.agent_status[printer] = status
            self.on_status(printer, status)
        return {"ok": True, "known": True}


def spool_all(spoolers: Sequence[PrintSpooler], now: datetime) -> None:
    """One round of every hall's spooler this process runs (it leads the hall), their due jobs
    read in one statement: a process of fifty halls read fifty times a second, each hall's
    spooler on its own. Each spooler's lock is held from the read until its jobs are handed out
    (printers.spooler.Spooler.held)."""
    leading = [s for s in spoolers if s.is_leader()]
    if not leading:
        return
    with ExitStack() as held:
        for s in leading:
            held.enter_context(s.spooler.held())
        due = due_jobs_of_halls(leading[0].engine, [s.hall for s in leading], now)
        for s in leading:
            try:
                s.spooler.run_once(now, due.get(s.hall, []))
            except Exception:  # one hall's failure (its database write) leaves the others' rounds
                log.exception("print spooler of hall %s failed", s.hall)
