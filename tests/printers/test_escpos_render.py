from datetime import datetime

import pytest

from printers.document import Align, Document, Line, QrCode, Size
from printers.escpos_render import encode_text, render
from printers.layout import sample_page, ticket_document
from server.core.hall import PrinterProfile
from tests.support.escpos_decode import decode

P58 = PrinterProfile("pos58", paper_mm=58, native_qr=True, cut=False)
P80 = PrinterProfile("kiosk80", paper_mm=80, native_qr=True, cut=True)
P80_RASTER = PrinterProfile("old80", paper_mm=80, native_qr=False, cut=True)
STATUS_URL = "https://hall.example.cn/t/abc123"


def ticket(paper_mm: int) -> Document:
    return ticket_document(
        hall_name="某市政务服务中心",
        hall_name_en="City Government Service Center",
        number="A007",
        department="人社局",
        department_en="Human Resources and Social Security",
        item="养老保险参保登记",
        item_en="Pension enrolment",
        people_ahead=3,
        wait_minutes=12,
        issued_at=datetime(2025, 11, 25, 9, 31),
        status_url=STATUS_URL,
        paper_mm=paper_mm,
    )


def test_exact_bytes_of_a_small_document():
    doc = Document(
        32,
        (
            Line("HallQ", Align.CENTER, Size.DOUBLE, bold=True),
            Line("取号，谢谢"),
            QrCode("https://h.cn/t/1"),
        ),
    )
    expected = (
        b"\x1b@"  # ESC @
        b"\x1ba\x01\x1bE\x01\x1d!\x11HallQ\n\x1d!\x00"  # centre, bold, GS ! 2x2, text, GS ! 0
        b"\x1ba\x00\x1bE\x00"  # left, not bold
        b"\x1c&\xc8\xa1\xba\xc5\xa3\xac\xd0\xbb\xd0\xbb\x1c.\n"  # FS & GB18030 FS .
        b"\x1ba\x01"  # QR centred by ESC a (python-escpos cannot centre a native QR)
        b"\x1d(k\x04\x001A2\x00"  # model 2
        b"\x1d(k\x03\x001C\x06"  # module 6 dots
        b"\x1d(k\x03\x001E1"  # error correction M
        b"\x1d(k\x13\x001P0https://h.cn/t/1"  # store
        b"\x1d(k\x03\x001Q0"  # print
        b"\x1bd\x04"  # no cut on this 58 mm printer: feed past the tear bar
    )
    assert render(doc, P58) == expected


def test_ascii_goes_out_plain_and_anything_else_in_chinese_mode():
    assert encode_text("A007") == b"A007"
    assert encode_text("A007号") == b"\x1c&A007\xba\xc5\x1c."


@pytest.mark.parametrize("profile", [P58, P80])
def test_a_ticket_decodes_to_its_chinese_lines_and_qr(profile):
    out = decode(render(ticket(profile.paper_mm), profile))
    assert out.texts[0] == "某市政务服务中心"
    assert out.lines[0].size == (2, 2) and out.lines[0].align == "center"
    number = next(line for line in out.lines if line.text == "A007")
    assert number.size == (4, 4) and number.bold
    for expected in ("人社局", "养老保险参保登记", "前面等候 People ahead：3", "请留意叫号，过号需重新取号。"):
        assert expected in out.texts
    assert out.qr_payloads == [STATUS_URL]
    assert out.qr_settings == {"model": 2, "module": out.qr_settings["module"], "ec": 1}
    assert not any("\ufffd" in t or "?" in t for t in out.texts)
    assert all(
        len(t.encode("gb18030")) * line.width <= (32 if profile is P58 else 48)
        for t, line in zip(out.texts, out.lines, strict=True)
    )


def test_the_qr_comes_before_the_notice():
    kinds = [kind for kind, _ in decode(render(ticket(80), P80)).events]
    assert kinds.index("qr") < len(kinds) - 3


def test_a_58mm_printer_without_cutter_gets_no_cut_but_a_feed():
    out = decode(render(ticket(58), P58))
    assert out.cuts == [] and out.feeds == [4]


def test_an_80mm_printer_feeds_then_cuts_once():
    out = decode(render(ticket(80), P80))
    assert out.cuts == [0]
    assert [k for k, _ in out.events][-2:] == ["feed", "cut"]


def test_a_printer_without_native_qr_gets_a_centred_raster_image():
    data = render(ticket(80), P80_RASTER)
    out = decode(data)
    assert out.qr_payloads == []
    assert len(out.rasters) == 1
    width_bytes, height = out.rasters[0]
    assert width_bytes * 8 <= 576 and 100 < height < 400
    assert b"\x1d(k" not in data


def test_size_changes_are_reset_with_gs_bang_zero():
    data = render(ticket(58), P58)
    assert data.count(b"\x1d!\x00") == data.count(b"\x1d!") - data.count(b"\x1d!\x00")


def test_chinese_punctuation_survives():
    punct = "，。、；：？！“”（）《》【】…—·"
    doc = Document(48, (Line(punct),))
    assert decode(render(doc, P80)).texts == [punct]


def test_python_escpos_alone_would_have_lost_the_chinese():
    from escpos.printer import Dummy

    printer = Dummy()
    printer.text("取号，谢谢\n")
    assert "取号" not in "".join(decode(printer.output).texts)


def test_a_document_wider_than_the_paper_is_refused():
    with pytest.raises(ValueError, match="48 columns.*has 32"):
        render(ticket(80), P58)


def test_the_sample_page_renders_on_both_papers():
    for profile in (P58, P80, P80_RASTER):
        out = decode(render(sample_page(printed_at=datetime(2025, 1, 1), paper_mm=profile.paper_mm), profile))
        assert "标点：，。、；：？！“”（）《》【】…—·" in "".join(out.texts)


def test_a_line_cannot_smuggle_printer_commands():
    with pytest.raises(ValueError, match="printable text only"):
        Line("A007\x1dV\x00")
