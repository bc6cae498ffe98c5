"""`hallq printer test URL`: print the sample page and say how the printer is.

Runs the same steps as the spooler (status, write, status again) so a clean report here means
the spooler will print there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printers.connections import (
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TIMEOUT,
    PrinterError,
    PrinterStatus,
    open_printer,
    parse_printer_url,
    status,
)
from printers.escpos_render import render
from printers.layout import sample_page
from server.core.hall import PrinterProfile

DEFAULT_PROFILE = PrinterProfile("default")


@dataclass(frozen=True)
class PrinterCheck:
    url: str
    ok: bool
    before: PrinterStatus
    after: PrinterStatus
    bytes_sent: int
    reports_status: bool
    error: str = ""

    def report(self) -> str:
        lines = [f"printer: {self.url}"]
        if self.reports_status:
            lines.append(f"status before: {self.before}")
        if self.bytes_sent:
            lines.append(f"sent: {self.bytes_sent} bytes (sample page)")
        if self.reports_status and self.bytes_sent:
            lines.append(f"status after: {self.after}")
        if not self.reports_status:
            lines.append("status: not reported by this kind of printer; check the paper by eye")
        if self.error:
            lines.append(f"error: {self.error}")
        lines.append(f"result: {'OK' if self.ok else 'FAILED'}")
        return "\n".join(lines)


def check_printer(
    url: str,
    profile: PrinterProfile = DEFAULT_PROFILE,
    *,
    now: datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> PrinterCheck:
    """Print the sample page on `url`. Raises PrinterURLError for a bad URL; any printer
    trouble is in the result instead."""
    parsed = parse_printer_url(url)
    page = sample_page(printed_at=now or datetime.now(), paper_mm=profile.paper_mm, profile_name=profile.name)
    data = render(page, profile)
    unknown = PrinterStatus.UNKNOWN

    def result(ok: bool, before: PrinterStatus, after: PrinterStatus, sent: int, error: str) -> PrinterCheck:
        return PrinterCheck(url, ok, before, after, sent, parsed.reports_status, error)

    try:
        conn = open_printer(parsed, timeout=timeout, read_timeout=read_timeout)
    except PrinterError as e:
        return result(False, PrinterStatus.OFFLINE, PrinterStatus.OFFLINE, 0, str(e))
    with conn:
        before = status(conn)
        if conn.reports_status and not before.can_print:
            return result(False, before, unknown, 0, "printer not ready; nothing sent")
        try:
            conn.write(data)
        except PrinterError as e:
            return result(False, before, PrinterStatus.OFFLINE, 0, str(e))
        after = status(conn)
        if conn.reports_status and not after.can_print:
            return result(False, before, after, len(data), "sent, but the printer did not confirm")
        return result(True, before, after, len(data), "")


def printer_test(url: str, profile: PrinterProfile = DEFAULT_PROFILE) -> str:
    """Print a sample page and return a human-readable report of the printer's status."""
    return check_printer(url, profile).report()
