import pytest

from printers.connections import dummy_output
from printers.sample import check_printer, printer_test
from printers.urls import PrinterURLError
from server.core.hall import PrinterProfile
from tests.support.escpos_decode import decode
from tests.support.escpos_fake import FakePrinter, FakeState


def test_a_healthy_printer_prints_the_sample_and_reports_online(fake):
    report = printer_test(fake.url)
    assert "status before: online" in report
    assert "status after: online" in report
    assert report.endswith("result: OK")
    out = decode(fake.received)
    assert "打印测试" in out.texts
    assert out.qr_payloads and out.cuts == [0]


def test_the_sample_follows_the_profile(fake):
    check = check_printer(fake.url, PrinterProfile("pos58", paper_mm=58, native_qr=False, cut=False))
    assert check.ok
    out = decode(fake.received)
    assert out.rasters and not out.cuts
    assert "汉" * 16 in out.texts


def test_a_printer_out_of_paper_is_reported_and_gets_nothing(fake):
    fake.state = FakeState.PAPER_OUT
    report = printer_test(fake.url)
    assert "status before: paper_out" in report
    assert "result: FAILED" in report
    assert fake.received == b""


def test_an_unreachable_printer_is_reported_offline():
    with FakePrinter() as gone:
        url = gone.url
    check = check_printer(url)
    assert not check.ok
    assert "status before: offline" in check.report()
    assert "cannot" in check.error


def test_a_printer_that_took_the_page_but_went_silent_failed(fake):
    fake.after_data = FakeState.SILENT
    check = check_printer(fake.url, read_timeout=0.1)
    assert not check.ok and check.bytes_sent > 0
    assert "did not confirm" in check.report()


def test_a_dummy_printer_cannot_report_but_gets_the_page(dummy_url):
    report = printer_test(dummy_url)
    assert "not reported" in report and report.endswith("result: OK")
    assert "打印测试" in decode(dummy_output(dummy_url)).texts


def test_a_bad_url_is_an_error_not_a_report():
    with pytest.raises(PrinterURLError, match="no port"):
        printer_test("tcp://10.0.0.5")
