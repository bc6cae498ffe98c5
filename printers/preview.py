"""A `Document` drawn as the thermal printer will print it: a PNG of the paper, for the console's
preview (issue 14, point 7). In the demo hall, whose printers are dummy://, this is how a newcomer
sees the slips.

Drawn from the same blocks `escpos_render` sends: each character in its Font A cells (12 dots a
column, 24 dots a line, ×2 or ×4 for larger sizes), so alignment and wrapping match the paper
exactly; QR codes with the module size the raster path uses. 203 dots per inch, the paper's
printable width (576 dots on 80 mm, 384 on 58 mm).

Hanzi need a CJK font: `HALLQ_CJK_FONT` names one, else the usual places are searched
(fonts-noto-cjk, WenQuanYi, Droid fallback). None found raises `FontMissing` with what to install.
"""

from __future__ import annotations

import functools
import glob
import io
import os
from typing import TYPE_CHECKING

from printers.document import Align, Document, Line
from printers.escpos_render import DOTS_PER_COLUMN, qr_code
from printers.textwidth import char_width

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

LINE_DOTS = 24
MARGIN = 16  # white paper around the printable width, as the paper has
GAP = 4  # between lines: the printer's default line spacing beyond the 24-dot glyph

# Searched in order; the first that exists is used. Regular then bold of the same family.
FONT_PATTERNS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/**/NotoSansCJK*-{weight}.ttc",
    "/usr/share/fonts/**/NotoSansSC-{weight}.*",
    "/usr/share/fonts/**/NotoSerifCJK-{weight}.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/local/share/fonts/**/*CJK*.tt[cf]",
    "/System/Library/Fonts/PingFang.ttc",
)


class FontMissing(RuntimeError):
    """No CJK font to draw hanzi with."""


@functools.cache
def find_font(weight: str = "Regular") -> str:
    """The path of a CJK font, or FontMissing naming what to install."""
    chosen = os.environ.get("HALLQ_CJK_FONT")
    if chosen:
        if not os.path.isfile(chosen):
            raise FontMissing(f"HALLQ_CJK_FONT={chosen!r} is not a file")
        return chosen
    for pattern in FONT_PATTERNS:
        found = sorted(glob.glob(pattern.format(weight=weight), recursive=True))
        if found:
            return found[0]
    if weight != "Regular":
        return find_font("Regular")
    raise FontMissing(
        "no CJK font found to draw the preview (looked for Noto Sans CJK, WenQuanYi, Droid Sans Fallback); "
        "install fonts-noto-cjk (apt) or set HALLQ_CJK_FONT to a .ttc/.ttf file"
    )


@functools.cache
def _font(size: int, bold: bool) -> FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(find_font("Bold" if bold else "Regular"), size)


def to_png(doc: Document) -> bytes:
    """The document as a PNG (1 dot = 1 pixel, black on white)."""
    from PIL import Image, ImageDraw

    width = doc.columns * DOTS_PER_COLUMN
    pieces: list[tuple[Line | PILImage, int]] = []
    for block in doc.blocks:
        if isinstance(block, Line):
            pieces.append((block, (LINE_DOTS + GAP) * block.size.factor))
        else:
            code, _module = qr_code(block.payload, width)
            img = code.make_image().get_image().convert("L")
            pieces.append((img, img.height + GAP))
    paper = Image.new("L", (width + 2 * MARGIN, sum(h for _, h in pieces) + 2 * MARGIN), 255)
    draw = ImageDraw.Draw(paper)
    y = MARGIN
    for piece, h in pieces:
        if isinstance(piece, Line):
            _line(draw, piece, y, doc.columns)
        else:
            paper.paste(piece, (MARGIN + (width - piece.width) // 2, y))
        y += h
    out = io.BytesIO()
    paper.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _line(draw: ImageDraw, line: Line, y: int, columns: int) -> None:
    factor = line.size.factor
    used = sum(char_width(ch) for ch in line.text) * factor
    start = {Align.LEFT: 0, Align.CENTER: (columns - used) // 2, Align.RIGHT: columns - used}[line.align]
    font = _font(22 * factor, line.bold)
    col = start
    for ch in line.text:
        cells = char_width(ch) * factor
        if not ch.isspace():
            x = MARGIN + col * DOTS_PER_COLUMN + cells * DOTS_PER_COLUMN / 2
            draw.text((x, y + LINE_DOTS * factor / 2), ch, fill=0, font=font, anchor="mm")
        col += cells
