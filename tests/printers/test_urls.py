import pytest

from printers.urls import Kind, PrinterURLError, parse_printer_url


@pytest.mark.parametrize(
    "url, expected",
    [
        ("tcp://192.168.1.50:9100", dict(kind=Kind.TCP, host="192.168.1.50", port=9100)),
        ("TCP://printer.hall.lan:9100/", dict(kind=Kind.TCP, host="printer.hall.lan", port=9100)),
        ("tcp://[::1]:9100", dict(kind=Kind.TCP, host="::1", port=9100)),
        ("tcp://10.0.0.5:9100?status=none", dict(kind=Kind.TCP, reports_status=False)),
        ("usb://04b8:0202", dict(kind=Kind.USB, vendor_id=0x04B8, product_id=0x0202, in_ep=None)),
        ("usb://0x0416:0x5011?in_ep=0x81&out_ep=3", dict(vendor_id=0x0416, in_ep=0x81, out_ep=3)),
        ("serial:///dev/ttyUSB0", dict(kind=Kind.SERIAL, path="/dev/ttyUSB0", baudrate=9600)),
        ("serial:///dev/ttyS1?baudrate=115200", dict(path="/dev/ttyS1", baudrate=115200)),
        ("file:///dev/usb/lp0", dict(kind=Kind.FILE, path="/dev/usb/lp0", reports_status=False)),
        ("dummy://", dict(kind=Kind.DUMMY, name="", reports_status=False)),
        ("dummy://kiosk-1", dict(kind=Kind.DUMMY, name="kiosk-1")),
        ("  tcp://10.0.0.5:9100  ", dict(host="10.0.0.5")),
    ],
)
def test_every_kind_of_printer_url_parses(url, expected):
    parsed = parse_printer_url(url)
    assert {key: getattr(parsed, key) for key in expected} == expected


def test_status_queries_are_on_by_default_where_the_printer_can_answer():
    assert parse_printer_url("tcp://h:9100").reports_status
    assert parse_printer_url("usb://04b8:0202").reports_status
    assert parse_printer_url("serial:///dev/ttyUSB0").reports_status


@pytest.mark.parametrize(
    "url, message",
    [
        ("192.168.1.50:9100", "has no scheme"),
        ("http://192.168.1.50:9100", "unknown printer URL scheme 'http'"),
        ("lpt://1", "known: tcp, usb, serial, file, dummy"),
        ("tcp://192.168.1.50", "has no port.*tcp://192.168.1.50:9100"),
        ("tcp://192.168.1.50:", "no port"),
        ("tcp://:9100", "has no host"),
        ("tcp://192.168.1.50:91000", "bad port '91000'"),
        ("tcp://192.168.1.50:ipp", "bad port 'ipp'"),
        ("tcp://192.168.1.50:9100/queue", "cannot have a path"),
        ("tcp://192.168.1.50:9100?timeout=3", "unknown parameter.*timeout"),
        ("tcp://192.168.1.50:9100?status=maybe", "status must be 'query' or 'none'"),
        ("tcp://[::1:9100", "cannot read printer URL|no port"),
        ("usb://04b8", "bad VID:PID '04b8'"),
        ("usb://epson:tm20", "bad VID:PID 'epson:tm20'"),
        ("usb://04b8:12345", "bad VID:PID"),
        ("usb://0000:0202", "ids cannot be 0"),
        ("usb://04b8:0202?in_ep=east", "bad in_ep 'east'"),
        ("serial://dev/ttyUSB0", "three slashes"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "bad baudrate 'fast'"),
        ("serial:///dev/ttyUSB0?baudrate=9601", "bad baudrate '9601'.*9600"),
        ("serial:///dev/ttyUSB0?baud=9600", "unknown parameter.*baud"),
        ("serial:///dev/ttyUSB0?baudrate=9600&baudrate=19200", "given twice"),
        ("file://lp0", "absolute path"),
        ("file:///", "absolute path"),
        ("tcp://h:9100#x", "fragment"),
    ],
)
def test_bad_printer_urls_say_what_is_wrong(url, message):
    with pytest.raises(PrinterURLError, match=message):
        parse_printer_url(url)


def test_a_url_error_is_a_value_error():
    assert issubclass(PrinterURLError, ValueError)
