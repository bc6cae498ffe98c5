"""Read ESC/POS bytes back the way a Chinese-market thermal printer would.

Text inside FS & ... FS . is GB18030; outside it, bytes above 0x7F are a code page we never
use, decoded as U+FFFD so a test sees them (python-escpos's own bare-GB18030 output would show
up this way). Commands are skipped with their arguments; an unknown one raises, so a rendering
mistake cannot hide behind the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
# ESC x with one argument byte that changes nothing we check.
_ESC_ONE_ARG = set(b"t-MGJ3{VrRU")
_GS_ONE_ARG = set(b"BHhwfb")


@dataclass(frozen=True)
class DecodedLine:
    text: str
    align: str = "left"
    width: int = 1  # character size multipliers
    height: int = 1
    bold: bool = False

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)


@dataclass
class Decoded:
    lines: list[DecodedLine] = field(default_factory=list)
    # In print order: ("line", DecodedLine), ("qr", payload), ("raster", (width_bytes, height)),
    # ("feed", lines), ("cut", mode).
    events: list[tuple[str, object]] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    qr_settings: dict[str, int] = field(default_factory=dict)
    rasters: list[tuple[int, int]] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    feeds: list[int] = field(default_factory=list)
    inits: int = 0
    status_queries: list[int] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def sizes(self) -> set[tuple[int, int]]:
        return {line.size for line in self.lines if line.text}


class _Printer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.out = Decoded()
        self.align = "left"
        self.bold = False
        self.width = self.height = 1
        self.chinese = False
        self.chars: list[str] = []
        self.line_attrs: tuple[str, int, int, bool] | None = None
        self.qr_data = b""

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError(f"truncated command at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def run(self) -> Decoded:
        while self.pos < len(self.data):
            start = self.pos
            b = self.byte()
            if b == LF:
                self.end_line()
            elif b == ESC:
                self.esc(start)
            elif b == GS:
                self.gs(start)
            elif b == FS:
                self.fs(start)
            elif b == DLE:
                if self.byte() != 0x04:
                    raise ValueError(f"unknown DLE command at byte {start}")
                self.out.status_queries.append(self.byte())
            elif b == 0x0D:
                pass
            elif b < 0x20 or b == 0x7F:
                raise ValueError(f"unexpected control byte 0x{b:02x} at {start}")
            else:
                self.text(b)
        if self.chars:
            raise ValueError(f"text not ended by a line feed: {''.join(self.chars)!r}")
        return self.out

    def text(self, first: int) -> None:
        if self.line_attrs is None:
            self.line_attrs = (self.align, self.width, self.height, self.bold)
        if first < 0x80:
            self.chars.append(chr(first))
        elif not self.chinese:
            self.chars.append("\ufffd")
        else:
            second = self.byte()
            raw = bytes((first, second))
            if 0x30 <= second <= 0x39:
                raw += self.take(2)
            self.chars.append(raw.decode("gb18030"))

    def end_line(self) -> None:
        align, width, height, bold = self.line_attrs or (self.align, self.width, self.height, self.bold)
        line = DecodedLine("".join(self.chars), align, width, height, bold)
        self.out.lines.append(line)
        self.out.events.append(("line", line))
        self.chars = []
        self.line_attrs = None

    def esc(self, start: int) -> None:
        cmd = self.byte()
        if cmd == ord("@"):
            self.out.inits += 1
            self.align, self.bold, self.width, self.height, self.chinese = "left", False, 1, 1, False
        elif cmd == ord("a"):
            self.align = _ALIGN[self.byte()]
        elif cmd == ord("E"):
            self.bold = bool(self.byte() & 1)
        elif cmd == ord("!"):
            n = self.byte()
            self.bold = bool(n & 0x08)
            self.width, self.height = (2 if n & 0x20 else 1), (2 if n & 0x10 else 1)
        elif cmd == ord("d"):
            if self.chars:
                self.end_line()
            n = self.byte()
            self.out.feeds.append(n)
            self.out.events.append(("feed", n))
        elif cmd == ord("2"):
            pass
        elif cmd in _ESC_ONE_ARG:
            self.byte()
        else:
            raise ValueError(f"unknown command ESC 0x{cmd:02x} at byte {start}")

    def gs(self, start: int) -> None:
        cmd = self.byte()
        if cmd == ord("!"):
            n = self.byte()
            self.width, self.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif cmd == ord("V"):
            m = self.byte()
            if m in (65, 66):
                self.byte()
            self.out.cuts.append(m)
            self.out.events.append(("cut", m))
        elif cmd == ord("("):
            fn = self.byte()
            size = int.from_bytes(self.take(2), "little")
            body = self.take(size)
            if fn == ord("k"):
                self.qr(body)
            elif fn != ord("L"):
                raise ValueError(f"unknown command GS ( 0x{fn:02x} at byte {start}")
        elif cmd == ord("v"):
            if self.byte() != ord("0"):
                raise ValueError(f"unknown GS v variant at byte {start}")
            self.byte()  # density
            width = int.from_bytes(self.take(2), "little")
            height = int.from_bytes(self.take(2), "little")
            self.take(width * height)
            self.out.rasters.append((width, height))
            self.out.events.append(("raster", (width, height)))
        elif cmd in _GS_ONE_ARG:
            self.byte()
        else:
            raise ValueError(f"unknown command GS 0x{cmd:02x} at byte {start}")

    def fs(self, start: int) -> None:
        cmd = self.byte()
        if cmd == ord("&"):
            self.chinese = True
        elif cmd == ord("."):
            self.chinese = False
        else:
            raise ValueError(f"unknown command FS 0x{cmd:02x} at byte {start}")

    def qr(self, body: bytes) -> None:
        cn, fn = body[0], body[1]
        if cn != 49:
            raise ValueError(f"GS ( k for symbol type {cn}, not QR")
        if fn == 65:
            self.out.qr_settings["model"] = body[2] - 48
        elif fn == 67:
            self.out.qr_settings["module"] = body[2]
        elif fn == 69:
            self.out.qr_settings["ec"] = body[2] - 48
        elif fn == 80:
            self.qr_data = body[3:]
        elif fn == 81:
            payload = self.qr_data.decode("utf-8")
            self.out.qr_payloads.append(payload)
            self.out.events.append(("qr", payload))


def decode(data: bytes) -> Decoded:
    """The printed lines, QR payloads, raster images, feeds and cuts in `data`."""
    return _Printer(data).run()
