"""A `Document` as ESC/POS bytes, made with python-escpos's `Dummy` printer.

python-escpos never switches a printer into Chinese mode and has no GB18030 code page (field
notes), so lines with non-ASCII text go out as FS & + GB18030 + FS . through `_raw`; sizes,
alignment, QR codes, images and the cut use the library's own commands.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from printers.document import Align, Document, Line, QrCode, Size
from printers.textwidth import columns_for
from server.core.hall import PrinterProfile

if TYPE_CHECKING:
    from escpos.escpos import Escpos
    from PIL.Image import Image
    from qrcode import QRCode

FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
DOTS_PER_COLUMN = 12  # Font A at 203 dpi
FEED_BEFORE_TEAR = 4  # lines between the print head and a 58 mm printer's tear bar
# Modules of 5-6 dots (0.6-0.75 mm) scan easily from a phone; bigger only costs paper and,
# for a raster code, bytes on the wire.
MAX_QR_MODULE = 6
QR_SHARE_OF_WIDTH = 1 / 2


def render(doc: Document, profile: PrinterProfile) -> bytes:
    """Bytes for one print job. Raises ValueError if the document is wider than the paper."""
    from escpos.printer import Dummy

    columns = columns_for(profile.paper_mm)
    if doc.columns > columns:
        raise ValueError(
            f"document laid out for {doc.columns} columns; {profile.name!r} ({profile.paper_mm} mm) has {columns}"
        )
    printer = Dummy(profile=_escpos_profile(columns * DOTS_PER_COLUMN))
    printer.hw("INIT")
    state = _State()
    for block in doc.blocks:
        if isinstance(block, Line):
            _line(printer, state, block)
        else:
            _qr(printer, state, block, profile, columns * DOTS_PER_COLUMN)
    if doc.cut and profile.cut:
        printer.cut(mode="FULL", feed=True)  # ESC d 6 then GS V 0
    else:
        printer.print_and_feed(FEED_BEFORE_TEAR)
    return printer.output


def encode_text(text: str) -> bytes:
    """One line's bytes: ASCII as is, anything else wrapped in Chinese mode as GB18030."""
    if text.isascii():
        return text.encode("ascii")
    return FS_CHINESE_ON + text.encode("gb18030") + FS_CHINESE_OFF


class _State:
    """What the printer was last told, so each setting is sent only when it changes."""

    def __init__(self) -> None:
        self.align = Align.LEFT  # ESC @ resets to left, not bold
        self.bold = False


def _line(printer: Escpos, state: _State, line: Line) -> None:
    _align(printer, state, line.align)
    if line.bold != state.bold:
        printer.set(bold=line.bold)
        state.bold = line.bold
    if line.size is not Size.NORMAL:
        printer.set(custom_size=True, width=line.size.factor, height=line.size.factor)
    printer._raw(encode_text(line.text) + b"\n")
    if line.size is not Size.NORMAL:
        printer.set(custom_size=True, width=1, height=1)  # GS ! 0


def _align(printer: Escpos, state: _State, align: Align) -> None:
    if align != state.align:
        printer.set(align=align.value)
        state.align = align


def _qr(printer: Escpos, state: _State, qr: QrCode, profile: PrinterProfile, dots: int) -> None:
    from escpos.constants import QR_ECLEVEL_M

    # Centred by ESC a: python-escpos refuses center=True with native=True.
    _align(printer, state, Align.CENTER)
    code, module = qr_code(qr.payload, dots)
    if profile.native_qr:
        printer.qr(qr.payload, ec=QR_ECLEVEL_M, size=module, native=True)
    else:
        printer.image(_pad_left(code.make_image().get_image(), dots), impl="bitImageRaster")


def qr_code(payload: str, dots: int) -> tuple[QRCode, int]:
    """The code drawn with the largest module size that fits the paper.

    The native command lets the printer choose its own QR version; for the ASCII URLs we print
    it matches this one, so the same module size fits both ways.
    """
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=1)
    code.add_data(payload)
    code.make(fit=True)
    modules = code.modules_count + 2 * code.border
    code.box_size = max(1, min(MAX_QR_MODULE, int(dots * QR_SHARE_OF_WIDTH) // modules))
    return code, code.box_size


def _pad_left(image: Image, dots: int) -> Image:
    """Centre a raster image by white margin on its left only.

    ESC a does not move a GS v 0 image on every printer, and padding just one side sends about
    half the bytes of padding to full width.
    """
    from PIL import Image as PILImage

    left = max(0, (dots - image.width) // 2)
    padded = PILImage.new("1", (left + image.width, image.height), 1)
    padded.paste(image.convert("1"), (left, 0))
    return padded


@functools.cache
def _escpos_profile(dots: int) -> object:
    """A python-escpos profile with the paper's real width.

    Its stock 58 mm profiles drop the cut command (whether to cut is PrinterProfile.cut's call),
    and the default one has no width, which makes `image()` print a warning to stdout.
    """
    from escpos.capabilities import Profile, get_profile

    default = get_profile("default")

    class PaperProfile(Profile):
        def __init__(self) -> None:
            super().__init__(columns=dots // DOTS_PER_COLUMN, features=dict(default.features))
            media = {"dpi": 203, "width": {"mm": "Unknown", "pixels": dots}}
            self.profile_data = {**default.profile_data, "media": media}

    return PaperProfile()
