"""Printed width of text on a thermal printer, and wrapping to a paper's columns.

Pure: no I/O, no escpos. A column is one Font A ASCII cell (12 dots).
"""

from __future__ import annotations

import unicodedata

# Font A on 203 dpi paper: 384 dots / 12 = 32 columns on 58 mm, 576 / 12 = 48 on 80 mm.
COLUMNS_58MM = 32
COLUMNS_80MM = 48

# A line may not start with these (Chinese line-breaking rule, 禁则): the break moves one
# character earlier so the mark stays with the word it closes.
_NO_LINE_START = set("，。、：；！？）》」』】〉’”…—,.;:!?)]}%")
# ... nor end with these.
_NO_LINE_END = set("（《「『【〈‘“([{")


def columns_for(paper_mm: int) -> int:
    """Font A columns of a paper width. Anything narrower than 80 mm paper is laid out as 58 mm,
    since a line too short is only ugly while a line too long breaks in the middle of a word."""
    return COLUMNS_80MM if paper_mm >= 76 else COLUMNS_58MM


def char_width(ch: str) -> int:
    """Columns one character takes in Chinese mode (FS &).

    Wide and full-width characters are two columns. So is every other non-ASCII character:
    the printer prints each multi-byte GB18030 code (·, “, é alike) in a double-width cell,
    whatever Unicode's east-asian width says.
    """
    if unicodedata.east_asian_width(ch) in "WF":
        return 2
    return 1 if ord(ch) < 0x80 else 2


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clean(text: str) -> str:
    """Drop what must never reach the printer as text.

    Control characters in a visitor's name would be ESC/POS commands, and format characters
    (zero-width, bidi) print as garbage. Tabs become spaces; newlines are kept for wrap().
    """
    out = []
    for ch in text.replace("\r\n", "\n").replace("\t", " "):
        if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)


def wrap(text: str, columns: int) -> list[str]:
    """Break text into lines no wider than `columns`.

    ASCII words break at spaces (one space at a break is dropped); hanzi break anywhere; a word
    longer than a line is cut. Newlines start a new line; an empty paragraph is an empty line.
    """
    if columns < 2:
        raise ValueError(f"cannot wrap to {columns} columns: a hanzi needs 2")
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        lines.extend(_wrap_paragraph(paragraph.rstrip(" "), columns))
    return lines


def _wrap_paragraph(text: str, columns: int) -> list[str]:
    lines: list[str] = []
    while text_width(text) > columns:
        cut = _fit(text, columns)
        cut = _break_point(text, cut)
        lines.append(text[:cut].rstrip(" "))
        text = text[cut:]
        if text.startswith(" "):
            text = text[1:]
    lines.append(text)
    return lines


def _fit(text: str, columns: int) -> int:
    """How many characters of text fit in columns."""
    used = 0
    for i, ch in enumerate(text):
        used += char_width(ch)
        if used > columns:
            return i
    return len(text)


def _break_point(text: str, cut: int) -> int:
    """Move a break at `cut` back so words and punctuation stay whole, if that leaves something."""
    if text[cut] == " ":
        return cut
    # Inside an ASCII word: break at the last space before it.
    if _is_word_char(text[cut]) and _is_word_char(text[cut - 1]):
        start = cut
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
        if start > 0:
            return start
        return cut
    for back in (1, 2):
        candidate = cut - back + 1
        if candidate < 1:
            break
        if text[candidate] not in _NO_LINE_START and text[candidate - 1] not in _NO_LINE_END:
            return candidate
    return cut


def _is_word_char(ch: str) -> bool:
    return ord(ch) < 0x80 and ch != " "
