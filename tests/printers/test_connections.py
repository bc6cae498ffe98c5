import select
import time

import pytest

from printers.connections import (
    PrinterError,
    PrinterStatus,
    dummy_output,
    interpret,
    open_printer,
    send,
    status,
)
from tests.support.escpos_decode import decode
from tests.support.escpos_fake import FakePrinter, FakeState


@pytest.mark.parametrize(
    "state, expected",
    [
        (FakeState.ONLINE, PrinterStatus.ONLINE),
        (FakeState.OFFLINE, PrinterStatus.OFFLINE),
        (FakeState.PAPER_OUT, PrinterStatus.PAPER_OUT),
        (FakeState.PAPER_NEAR_END, PrinterStatus.PAPER_NEAR_END),
    ],
)
def test_status_reads_dle_eot_answers(fake, state, expected):
    fake.state = state
    assert status(fake.url) is expected
    assert fake.queries == [1, 4]


def test_a_printer_that_never_answers_is_unknown_not_online(fake):
    fake.state = FakeState.SILENT
    with open_printer(fake.url, read_timeout=0.05) as conn:
        assert status(conn) is PrinterStatus.UNKNOWN


def test_after_an_unanswered_query_the_connection_is_renewed(fake):
    fake.state = FakeState.SILENT
    with open_printer(fake.url, read_timeout=0.05) as conn:
        status(conn)
        fake.state = FakeState.PAPER_OUT
        assert status(conn) is PrinterStatus.PAPER_OUT
    assert fake.connections == 2


def test_stale_bytes_are_not_read_as_the_answer(fake):
    with open_printer(fake.url) as conn:
        sock = conn.device.device
        sock.sendall(b"\x10\x04\x04")  # an answer we never read: 0x12
        assert select.select([sock], [], [], 5)[0]  # it is waiting in our buffer
        fake.state = FakeState.PAPER_OUT
        assert status(conn) is PrinterStatus.PAPER_OUT


def test_a_closed_port_is_offline_at_once():
    with FakePrinter() as gone:
        url = gone.url
    started = time.monotonic()
    assert status(url) is PrinterStatus.OFFLINE
    assert time.monotonic() - started < 1
    with pytest.raises(PrinterError, match="cannot open"):
        send(url, b"x")


def test_a_printer_switched_off_mid_session_is_offline(fake):
    with open_printer(fake.url) as conn:
        assert status(conn) is PrinterStatus.ONLINE
        fake.stop()
        assert status(conn) is PrinterStatus.OFFLINE


def test_send_delivers_the_bytes(fake):
    send(fake.url, b"\x1b@hello\n")
    assert fake.wait_for_data(8) == b"\x1b@hello\n"


def test_a_file_printer_gets_the_bytes_and_cannot_report(tmp_path):
    path = tmp_path / "lp0"
    send(f"file://{path}", b"\x1b@hello\n")
    assert path.read_bytes() == b"\x1b@hello\n"
    assert status(f"file://{path}") is PrinterStatus.UNKNOWN


def test_a_dummy_printer_keeps_the_bytes(dummy_url):
    send(dummy_url, b"\x1b@")
    send(dummy_url, b"\x1c&\xba\xc5\x1c.\n")
    assert decode(dummy_output(dummy_url)).texts == ["号"]
    assert status(dummy_url) is PrinterStatus.UNKNOWN


def test_a_usb_or_serial_printer_that_is_not_plugged_in_is_a_clear_error():
    with pytest.raises(PrinterError, match="usb://04b8:0202: cannot open printer"):
        open_printer("usb://04b8:0202")
    with pytest.raises(PrinterError, match="could not open port /dev/ttyHALLQ9"):
        open_printer("serial:///dev/ttyHALLQ9?baudrate=9600")


def test_garbled_or_missing_answers_are_unknown():
    assert interpret(None, None) is PrinterStatus.UNKNOWN
    assert interpret(0xFF, 0x12) is PrinterStatus.UNKNOWN
    assert interpret(0x12, None) is PrinterStatus.ONLINE
    assert interpret(0x1A, 0x72) is PrinterStatus.PAPER_OUT


def test_a_connection_whose_printer_went_away_errors_cleanly(fake):
    with open_printer(fake.url) as conn:
        fake.stop()
        assert status(conn) is PrinterStatus.OFFLINE  # closes the connection
        assert status(conn) is PrinterStatus.OFFLINE  # python-escpos would reopen: refused
        with pytest.raises(PrinterError):
            conn.write(b"x")
