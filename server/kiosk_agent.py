"""`hallq kiosk-agent`: prints a kiosk's tickets on a printer only its PC can reach (USB, serial).

It connects to the server with the kiosk's device key, says hello (the answer carries every job
not yet acknowledged), prints each job with the same spooler the server uses, so a job counts as
printed only when the printer confirmed it, and acknowledges it. A job it already printed but
whose acknowledgement was lost is acknowledged again without printing twice.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import socketio

from printers.connections import PrinterStatus
from printers.jobs import InMemoryJobStore
from printers.spooler import Spooler

log = logging.getLogger("hallq.agent")

SPOOL_EVERY_S = 0.5


class AckingStore(InMemoryJobStore):
    """The spooler's store on the agent: printing a job acknowledges it to the server."""

    def __init__(self, ack: Callable[[str, bool, str], None]) -> None:
        super().__init__()
        self._ack = ack

    def mark_printed(self, job_id: str, now: datetime) -> None:
        super().mark_printed(job_id, now)
        self._ack(job_id, True, "")

    def mark_failed(self, job_id: str, error: str, retry_at: datetime | None) -> None:
        super().mark_failed(job_id, error, retry_at)
        if retry_at is None:
            self._ack(job_id, False, error)


class KioskAgent:
    def __init__(self, server: str, key: str, printer: str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.server, self.key, self.printer = server.rstrip("/"), key, printer
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sio = socketio.Client(reconnection=True, reconnection_delay_max=5)
        self.status = PrinterStatus.UNKNOWN
        self.store = AckingStore(self._ack)
        self.spooler = Spooler(self.store, on_status=self._on_status)
        self.printed: set[str] = set()
        self._stop = threading.Event()
        self.sio.on("connect", self._hello)
        self.sio.on("print.job", self._job)

    def _hello(self) -> None:
        answer = self.sio.call("agent.hello", {}, timeout=10)
        if "error" in answer:
            log.error("server refused this agent: %s", answer["error"]["message"])
            self._stop.set()
            return
        log.info("connected as %s; %d job(s) to print", answer["device"], len(answer["jobs"]))
        for job in answer["jobs"]:
            self._job(job)

    def _job(self, job: dict[str, Any]) -> None:
        job_id = str(job["id"])
        if job_id in self.printed:
            self._ack(job_id, True, "")
            return
        try:
            self.store.get(job_id)
        except KeyError:
            self.store.add(self.printer, base64.b64decode(job["payload"]), self.clock(), job_id=job_id)

    def _ack(self, job_id: str, ok: bool, error: str) -> None:
        if ok:
            self.printed.add(job_id)
        try:
            self.sio.emit("print.ack", {"id": job_id, "ok": ok, "error": error, "status": self.status.value})
        except socketio.exceptions.SocketIOError:
            log.warning("could not acknowledge job %s now; the server resends it on reconnect", job_id)

    def _on_status(self, url: str, status: PrinterStatus) -> None:
        self.status = status
        log.info("printer %s is %s", url, status.value)

    def run(self, *, until: Callable[[], bool] | None = None) -> None:
        self.sio.connect(self.server, auth={"device_key": self.key}, transports=["websocket"], wait_timeout=10)
        try:
            while not self._stop.is_set() and not (until and until()):
                self.spooler.run_once(self.clock())
                self._stop.wait(SPOOL_EVERY_S)
        finally:
            self.spooler.close()
            self.sio.disconnect()

    def stop(self) -> None:
        self._stop.set()
