"""Printer addresses as URLs, the one string a hall's config gives per kiosk or window.

    tcp://192.168.1.50:9100          network printer (raw port 9100)
    usb://04b8:0202                  USB vendor:product id in hex; ?in_ep=0x81&out_ep=0x02
    serial:///dev/ttyUSB0?baudrate=9600
    file:///dev/usb/lp0              a device file (or any file, for previews)
    dummy://kiosk-1                  kept in memory, for development and tests

tcp, usb and serial take `?status=none` for a printer that never answers status queries: its
jobs then count as printed on a clean write, instead of being retried forever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
_EXAMPLES = "tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///PATH or dummy://"
_USB_ID = re.compile(r"^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$", re.IGNORECASE)


class PrinterURLError(ValueError):
    """A printer URL that cannot be used; the message says what is wrong with it."""


class Kind(StrEnum):
    TCP = "tcp"
    USB = "usb"
    SERIAL = "serial"
    FILE = "file"
    DUMMY = "dummy"


@dataclass(frozen=True)
class PrinterURL:
    kind: Kind
    url: str
    host: str = ""
    port: int = 0
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int | None = None
    out_ep: int | None = None
    path: str = ""
    baudrate: int = 9600
    name: str = ""
    # False: the printer never answers DLE EOT (or cannot: file, dummy).
    reports_status: bool = True

    def __str__(self) -> str:
        return self.url


def parse_printer_url(url: str) -> PrinterURL:
    """Parse and check a printer URL. Raises PrinterURLError naming the problem."""
    url = url.strip()
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise PrinterURLError(f"printer URL {url!r} has no scheme; use {_EXAMPLES}")
    try:
        kind = Kind(scheme.lower())
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise PrinterURLError(f"unknown printer URL scheme {scheme!r} in {url!r} (known: {known})") from None
    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise PrinterURLError(f"cannot read printer URL {url!r}: {e}") from None
    if parts.fragment:
        raise PrinterURLError(f"printer URL {url!r} has a #fragment, which means nothing here")
    query = _query(url, parts.query)
    parser = {
        Kind.TCP: _tcp,
        Kind.USB: _usb,
        Kind.SERIAL: _serial,
        Kind.FILE: _file,
        Kind.DUMMY: _dummy,
    }[kind]
    result = parser(url, parts.netloc, parts.path, query)
    if query:
        raise PrinterURLError(f"unknown parameter(s) {', '.join(sorted(query))} in {kind} printer URL {url!r}")
    return result


def _query(url: str, raw: str) -> dict[str, str]:
    try:
        values = parse_qs(raw, keep_blank_values=True, strict_parsing=bool(raw))
    except ValueError:
        raise PrinterURLError(f"cannot read the parameters {raw!r} of printer URL {url!r}") from None
    for key, vals in values.items():
        if len(vals) > 1:
            raise PrinterURLError(f"parameter {key!r} given twice in printer URL {url!r}")
    return {key: vals[0] for key, vals in values.items()}


def _reports_status(url: str, query: dict[str, str]) -> bool:
    value = query.pop("status", "query")
    if value not in ("query", "none"):
        raise PrinterURLError(f"status must be 'query' or 'none', not {value!r}, in {url!r}")
    return value == "query"


def _tcp(url: str, netloc: str, path: str, query: dict[str, str]) -> PrinterURL:
    host, sep, port_text = netloc.rpartition(":")
    if not sep or host.endswith(":") or (host.startswith("[") and not host.endswith("]")):
        raise PrinterURLError(
            f"tcp printer URL {url!r} has no port "
            f"(network printers usually listen on 9100: tcp://{netloc or 'HOST'}:9100)"
        )
    host = host.removeprefix("[").removesuffix("]")
    if not host:
        raise PrinterURLError(f"tcp printer URL {url!r} has no host")
    if "@" in host:
        raise PrinterURLError(f"tcp printer URL {url!r} cannot carry a user name or password")
    if not port_text:
        raise PrinterURLError(f"tcp printer URL {url!r} has no port after the colon (usually 9100)")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise PrinterURLError(f"bad port {port_text!r} in {url!r}: expected 1-65535, usually 9100")
    _no_path(url, path)
    return PrinterURL(Kind.TCP, url, host=host, port=int(port_text), reports_status=_reports_status(url, query))


def _usb(url: str, netloc: str, path: str, query: dict[str, str]) -> PrinterURL:
    match = _USB_ID.match(netloc)
    if not match:
        raise PrinterURLError(
            f"bad VID:PID {netloc!r} in {url!r}: expected two hex ids like usb://04b8:0202 (see lsusb)"
        )
    vendor, product = (int(g, 16) for g in match.groups())
    if not vendor or not product:
        raise PrinterURLError(f"bad VID:PID {netloc!r} in {url!r}: ids cannot be 0")
    _no_path(url, path)
    return PrinterURL(
        Kind.USB,
        url,
        vendor_id=vendor,
        product_id=product,
        in_ep=_endpoint(url, query, "in_ep"),
        out_ep=_endpoint(url, query, "out_ep"),
        reports_status=_reports_status(url, query),
    )


def _endpoint(url: str, query: dict[str, str], key: str) -> int | None:
    text = query.pop(key, None)
    if text is None:
        return None
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if not 0 < value < 256:
        raise PrinterURLError(f"bad {key} {text!r} in {url!r}: expected an endpoint like 0x81")
    return value


def _serial(url: str, netloc: str, path: str, query: dict[str, str]) -> PrinterURL:
    if netloc or not path.startswith("/"):
        raise PrinterURLError(
            f"serial printer URL {url!r} needs a device path after three slashes, like serial:///dev/ttyUSB0"
        )
    text = query.pop("baudrate", "9600")
    if not text.isdigit() or int(text) not in BAUDRATES:
        raise PrinterURLError(f"bad baudrate {text!r} in {url!r}: expected one of {', '.join(map(str, BAUDRATES))}")
    return PrinterURL(Kind.SERIAL, url, path=path, baudrate=int(text), reports_status=_reports_status(url, query))


def _file(url: str, netloc: str, path: str, query: dict[str, str]) -> PrinterURL:
    if netloc not in ("", "localhost") or not path.startswith("/") or path == "/":
        raise PrinterURLError(
            f"file printer URL {url!r} needs an absolute path after three slashes, like file:///dev/usb/lp0"
        )
    return PrinterURL(Kind.FILE, url, path=path, reports_status=False)


def _dummy(url: str, netloc: str, path: str, query: dict[str, str]) -> PrinterURL:
    return PrinterURL(Kind.DUMMY, url, name=(netloc + path).strip("/"), reports_status=False)


def _no_path(url: str, path: str) -> None:
    if path not in ("", "/"):
        raise PrinterURLError(f"printer URL {url!r} cannot have a path ({path!r})")
