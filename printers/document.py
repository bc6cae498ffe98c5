"""What a printed document is, before it becomes printer bytes: lines already wrapped to the
paper, QR codes between them, and whether to cut. Pure values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from printers.textwidth import clean, text_width


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Size(StrEnum):
    NORMAL = "normal"
    DOUBLE = "double"  # 2x width, 2x height
    QUAD = "quad"  # 4x width, 4x height

    @property
    def factor(self) -> int:
        return {Size.NORMAL: 1, Size.DOUBLE: 2, Size.QUAD: 4}[self]


@dataclass(frozen=True)
class Line:
    text: str
    align: Align = Align.LEFT
    size: Size = Size.NORMAL
    bold: bool = False

    def __post_init__(self) -> None:
        if "\n" in self.text:
            raise ValueError("a Line is one printed line; wrap the text first")
        if clean(self.text) != self.text:
            # A control character in a line would reach the printer as a command.
            raise ValueError(f"a Line holds printable text only: {self.text!r}")


@dataclass(frozen=True)
class QrCode:
    payload: str


Block = Line | QrCode


@dataclass(frozen=True)
class Document:
    """Blocks in print order. `columns` is the Font A width the lines were wrapped to."""

    columns: int
    blocks: tuple[Block, ...]
    cut: bool = True

    def __post_init__(self) -> None:
        for line in self.lines:
            if text_width(line.text) * line.size.factor > self.columns:
                raise ValueError(f"line {line.text!r} at {line.size} size is wider than {self.columns} columns")

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Line))

    @property
    def qr_payloads(self) -> tuple[str, ...]:
        return tuple(b.payload for b in self.blocks if isinstance(b, QrCode))

    def text(self) -> str:
        """The lines as plain text, for logs, previews and tests."""
        return "\n".join(line.text for line in self.lines)
