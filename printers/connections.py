"""Open a printer by URL, send it bytes, ask it how it is.

python-escpos does the opening and writing. The status query is ours: its `paper_status()`
reports "paper OK" when nothing answers, and a late answer to a timed-out query is read as the
next one (field notes). So we drain stale input before asking, give the answer a short read
timeout, reconnect after a timeout, and call silence UNKNOWN, never ONLINE.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from enum import StrEnum
from typing import Any

from escpos.exceptions import DeviceNotFoundError

from printers.urls import Kind, PrinterURL, PrinterURLError, parse_printer_url

__all__ = [
    "PrinterConnection",
    "PrinterError",
    "PrinterStatus",
    "PrinterURL",
    "PrinterURLError",
    "clear_dummy",
    "dummy_output",
    "open_printer",
    "parse_printer_url",
    "send",
    "status",
]

DEFAULT_TIMEOUT = 3.0  # python-escpos waits 60 s by default: a kiosk cannot
DEFAULT_READ_TIMEOUT = 1.0

DLE_EOT_PRINTER = b"\x10\x04\x01"  # DLE EOT 1: printer status
DLE_EOT_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12  # bits 1 and 4 set, 0 and 7 clear in every status byte
_OFFLINE = 0x08
_PAPER_END = 0x60
_PAPER_NEAR_END = 0x0C

# What talking to an open device can raise: socket, pyusb and pyserial errors are OSErrors;
# python-escpos reopens a closed device on first use (DeviceNotFoundError if it is gone) and
# asserts that it has one.
_DEVICE_ERRORS = (OSError, DeviceNotFoundError, AssertionError)


class PrinterStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    PAPER_NEAR_END = "paper_near_end"  # still prints
    UNKNOWN = "unknown"  # cannot report (file, dummy) or did not answer

    @property
    def can_print(self) -> bool:
        return self in (PrinterStatus.ONLINE, PrinterStatus.PAPER_NEAR_END)


class PrinterError(Exception):
    """The printer could not be reached, or the connection broke while talking to it."""


class PrinterConnection:
    """One open printer. Not thread-safe: one job or query at a time."""

    def __init__(self, url: PrinterURL, device: Any, timeout: float, read_timeout: float) -> None:
        self.url = url
        self.device = device  # the python-escpos printer object
        self.timeout = timeout
        self.read_timeout = read_timeout

    @property
    def reports_status(self) -> bool:
        return self.url.reports_status

    def write(self, data: bytes) -> None:
        try:
            self.device._raw(data)
        except _DEVICE_ERRORS as e:
            self.close()
            raise PrinterError(f"{self.url}: write failed: {e}") from e

    def query(self, request: bytes) -> int | None:
        """Send a real-time status request; the answer byte, or None if none came in time."""
        if not self.reports_status:
            return None
        reader = {Kind.TCP: _query_tcp, Kind.USB: _query_usb, Kind.SERIAL: _query_serial}
        try:
            answer = reader[self.url.kind](self, request)
        except _DEVICE_ERRORS as e:
            self.close()
            raise PrinterError(f"{self.url}: status query failed: {e}") from e
        if answer is None:
            self._reconnect()
        return answer

    def _reconnect(self) -> None:
        # The late answer would otherwise be read as the answer to the next query.
        self.close()
        try:
            self.device.open()
        except Exception as e:  # as in open_printer: each driver raises its own kinds
            raise PrinterError(f"{self.url}: reconnect failed: {e}") from e

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.device.close()

    def __enter__(self) -> PrinterConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_printer(
    url: str | PrinterURL,
    timeout: float = DEFAULT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> PrinterConnection:
    """Open a printer. Raises PrinterURLError for a bad URL, PrinterError if it cannot be
    reached (a closed TCP port fails at once; a silent host after `timeout` seconds)."""
    parsed = url if isinstance(url, PrinterURL) else parse_printer_url(url)
    device = _device(parsed, timeout)
    try:
        device.open()
    except Exception as e:  # drivers raise their own kinds: DeviceNotFoundError, pyusb's NoBackendError...
        raise PrinterError(f"{parsed}: cannot open printer: {e}") from e
    return PrinterConnection(parsed, device, timeout, read_timeout)


def send(url_or_conn: str | PrinterURL | PrinterConnection, data: bytes, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Write one job. Given a URL, opens and closes the printer around it. A clean write
    means the bytes left us, not that they printed: confirm with status()."""
    if isinstance(url_or_conn, PrinterConnection):
        url_or_conn.write(data)
        return
    with open_printer(url_or_conn, timeout=timeout) as conn:
        conn.write(data)


def status(url_or_conn: str | PrinterURL | PrinterConnection, timeout: float = DEFAULT_TIMEOUT) -> PrinterStatus:
    """Ask the printer (DLE EOT 1, then DLE EOT 4). Never raises for an unreachable printer:
    that is OFFLINE. UNKNOWN: no answer in time, a garbled one, or a kind that cannot read."""
    if not isinstance(url_or_conn, PrinterConnection):
        try:
            conn = open_printer(url_or_conn, timeout=timeout)
        except PrinterError:
            return PrinterStatus.OFFLINE
        with conn:
            return status(conn)
    conn = url_or_conn
    if not conn.reports_status:
        return PrinterStatus.UNKNOWN
    try:
        printer = conn.query(DLE_EOT_PRINTER)
        if not _valid(printer):
            return PrinterStatus.UNKNOWN
        paper = conn.query(DLE_EOT_PAPER)
    except PrinterError:
        return PrinterStatus.OFFLINE
    return interpret(printer, paper)


def interpret(printer: int | None, paper: int | None) -> PrinterStatus:
    """A status from the DLE EOT 1 and DLE EOT 4 answer bytes (None: not answered)."""
    if printer is None or not _valid(printer):
        return PrinterStatus.UNKNOWN
    paper_flags = paper if paper is not None and _valid(paper) else 0
    # A printer out of paper also reports itself offline; say the cause.
    if paper_flags & _PAPER_END:
        return PrinterStatus.PAPER_OUT
    if printer & _OFFLINE:
        return PrinterStatus.OFFLINE
    if paper_flags & _PAPER_NEAR_END:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.ONLINE


def _valid(byte: int | None) -> bool:
    return byte is not None and byte & _FIXED_MASK == _FIXED_BITS


# dummy:// printers by name, so what a spooler sent can be read back from anywhere in the
# process. For development and tests: the bytes are kept until cleared.
_dummies: dict[str, Any] = {}
_dummies_lock = threading.Lock()


def dummy_output(url: str) -> bytes:
    """Everything sent so far to a dummy:// printer."""
    return _dummy(parse_printer_url(url)).output


def clear_dummy(url: str) -> None:
    _dummy(parse_printer_url(url)).clear()


def _dummy(url: PrinterURL) -> Any:
    if url.kind is not Kind.DUMMY:
        raise PrinterURLError(f"{url} is not a dummy:// printer")
    from escpos.printer import Dummy

    with _dummies_lock:
        return _dummies.setdefault(url.name, Dummy())


def _device(url: PrinterURL, timeout: float) -> Any:
    from escpos import printer

    if url.kind is Kind.TCP:
        return _network_class()(url.host, url.port, timeout=timeout)
    if url.kind is Kind.USB:
        _require(printer.Usb, url, "pyusb")
        endpoints = {k: v for k, v in (("in_ep", url.in_ep), ("out_ep", url.out_ep)) if v is not None}
        # pyusb counts its timeout in milliseconds.
        return printer.Usb(url.vendor_id, url.product_id, timeout=int(timeout * 1000), **endpoints)
    if url.kind is Kind.SERIAL:
        _require(printer.Serial, url, "pyserial")
        return printer.Serial(url.path, baudrate=url.baudrate, timeout=timeout)
    if url.kind is Kind.FILE:
        return printer.File(url.path)
    return _dummy(url)


def _require(device_class: Any, url: PrinterURL, package: str) -> None:
    # Checked before building the device: without its library, python-escpos's half-built
    # object raises again from __del__.
    if not device_class.is_usable():
        raise PrinterError(f"{url}: {url.kind} printers need the {package} package (pip install {package})")


@functools.cache
def _network_class() -> type:
    from escpos.printer import Network

    class ClosingNetwork(Network):
        """python-escpos 3.1 drops the socket of a refused connection unclosed: a
        ResourceWarning for every retry to a dead printer. This one closes it."""

        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            try:
                self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
            except OSError as e:
                self.device = None  # type: ignore[assignment]  # python-escpos's own "not open" state
                raise DeviceNotFoundError(f"cannot connect to {self.host}:{self.port}: {e}") from e

    return ClosingNetwork


def _query_tcp(conn: PrinterConnection, request: bytes) -> int | None:
    sock: socket.socket = conn.device.device
    try:
        sock.settimeout(0)
        while True:  # drain what an earlier, late answer left behind
            try:
                stale = sock.recv(64)
            except BlockingIOError:
                break
            if not stale:
                raise ConnectionResetError("printer closed the connection")
        sock.settimeout(conn.read_timeout)
        sock.sendall(request)
        try:
            answer = sock.recv(16)
        except TimeoutError:
            return None
        if not answer:
            raise ConnectionResetError("printer closed the connection")
        return answer[0]
    finally:
        if sock.fileno() != -1:
            sock.settimeout(conn.timeout)


def _query_usb(conn: PrinterConnection, request: bytes) -> int | None:
    import usb.core

    device = conn.device.device
    in_ep = conn.device.in_ep
    try:
        while device.read(in_ep, 64, timeout=10):
            pass
    except usb.core.USBTimeoutError:
        pass
    conn.device._raw(request)
    try:
        answer = device.read(in_ep, 16, timeout=int(conn.read_timeout * 1000))
    except usb.core.USBTimeoutError:
        return None
    return answer[0] if len(answer) else None


def _query_serial(conn: PrinterConnection, request: bytes) -> int | None:
    port = conn.device.device
    port.reset_input_buffer()
    port.write(request)
    previous, port.timeout = port.timeout, conn.read_timeout
    try:
        answer = port.read(1)
    finally:
        port.timeout = previous
    return answer[0] if answer else None
