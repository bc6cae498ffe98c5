"""A kiosk's tickets on a real (fake) network printer, through kill -9 and a printer outage."""

from __future__ import annotations

import time

import pytest
import requests

from tests.support.escpos_decode import decode
from tests.support.escpos_fake import FakePrinter, FakeState
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.slow

ITEM = "SCJG-001"


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def printed_numbers(printer: FakePrinter) -> list[str]:
    texts = decode(printer.received).texts
    return [t.strip() for t in texts if t.strip().startswith("A") and t.strip()[1:].isdigit()]


@pytest.fixture
def hall_with_printer(tmp_path):
    printer = FakePrinter().start()
    server = ServerProcess(tmp_path / "hall")
    server.seed()
    out = server.cli("device", "add", "kiosk-p", "--kind", "kiosk", "--printer", printer.url)
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip().splitlines()[-1]
    server.start()
    staff = server.login("scjg01")
    requests.post(f"{server.url}/api/v1/windows/1/open", headers=staff, timeout=10).raise_for_status()
    yield server, printer, {"X-Device-Key": key}
    server.stop()
    printer.stop()


def take(server: ServerProcess, kiosk: dict) -> dict:
    r = requests.post(f"{server.url}/api/v1/tickets", json={"item": ITEM}, headers=kiosk, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def test_a_kiosk_ticket_prints_with_its_number_chinese_text_and_qr(hall_with_printer):
    server, printer, kiosk = hall_with_printer
    ticket = take(server, kiosk)
    assert ticket["print"]["printer_status"] in ("unknown", "online")
    wait_until(lambda: decode(printer.received).qr_payloads, 15, "the ticket to print")
    doc = decode(printer.received)
    assert doc.qr_payloads == [ticket["status_url"]]
    text = "\n".join(doc.texts)
    assert ticket["number"] in [t.strip() for t in doc.texts]
    assert "市场监督管理局" in text or "市场监管" in text
    assert any(size[0] >= 2 for size in doc.sizes), "the number is printed large"
    assert doc.cuts, "an 80 mm kiosk printer cuts the ticket"


def test_tickets_queued_while_the_printer_is_away_print_after_a_kill_9_and_restart(hall_with_printer):
    server, printer, kiosk = hall_with_printer
    port = printer.port
    printer.stop()
    numbers = [take(server, kiosk)["number"] for _ in range(3)]
    time.sleep(1.5)  # the spooler tries, fails and backs off
    server.kill()
    server.start()
    back = FakePrinter(FakeState.ONLINE, port=port).start()
    try:
        got = wait_until(lambda: set(numbers) <= set(printed_numbers(back)) and printed_numbers(back), 40,
                         "every queued ticket to print")
        assert sorted(set(got)) == sorted(numbers)
    finally:
        back.stop()


def test_staff_can_reprint_a_ticket_at_its_kiosk(hall_with_printer):
    server, printer, kiosk = hall_with_printer
    ticket = take(server, kiosk)
    wait_until(lambda: printed_numbers(printer), 15, "the first print")
    printer.clear()
    staff = server.login("scjg01")
    r = requests.post(f"{server.url}/api/v1/tickets/{ticket['id']}/reprint", headers=staff, json={}, timeout=10)
    assert r.status_code == 200, r.text
    wait_until(lambda: printed_numbers(printer) == [ticket["number"]], 15, "the reprint")


def test_a_kiosk_agent_prints_its_kiosks_tickets_and_gets_the_missed_ones_on_reconnect(tmp_path):
    import threading

    from server.kiosk_agent import KioskAgent

    server = ServerProcess(tmp_path / "hall")
    server.seed()
    out = server.cli("device", "add", "kiosk-usb", "--kind", "kiosk", "--printer", "agent://")
    assert out.returncode == 0, out.stderr
    kiosk = {"X-Device-Key": out.stdout.strip().splitlines()[-1]}
    server.start()
    # The fake network printer stands in for the kiosk PC's USB printer: the agent drives it
    # through the same connection layer.
    printer = FakePrinter().start()
    try:
        requests.post(f"{server.url}/api/v1/windows/1/open", headers=server.login("scjg01"), timeout=10)
        missed = take(server, kiosk)["number"]  # no agent running yet

        stop = threading.Event()
        agent = KioskAgent(server.url, kiosk["X-Device-Key"], printer.url)
        runner = threading.Thread(target=agent.run, kwargs={"until": stop.is_set}, daemon=True)
        runner.start()
        wait_until(lambda: missed in printed_numbers(printer), 20, "the agent to print the ticket it missed")
        live = take(server, kiosk)["number"]
        wait_until(lambda: live in printed_numbers(printer), 20, "the agent to print a new ticket")
        stop.set()
        runner.join(10)
        r = requests.get(f"{server.url}/api/v1/hall", headers=server.login("manager"), timeout=10)
        assert r.ok
        assert sorted(printed_numbers(printer)) == sorted([missed, live]), "each ticket printed once"
    finally:
        printer.stop()
        server.stop()


def test_a_printer_running_out_of_paper_is_reported_to_the_hall(hall_with_printer):
    import socketio

    server, printer, kiosk = hall_with_printer
    client = socketio.Client()
    reports: list[dict] = []
    client.on("printer.updated", lambda data: reports.append(data["printer"]))
    client.connect(server.url, auth={"device_key": server.device_key("display-hall")}, transports=["websocket"])
    try:
        client.call("subscribe", {"rooms": ["hall"]}, timeout=10)
        take(server, kiosk)
        wait_until(lambda: any(r["status"] == "online" for r in reports), 15, "the printer reported online")
        printer.state = FakeState.PAPER_OUT
        take(server, kiosk)
        report = wait_until(lambda: [r for r in reports if r["status"] == "paper_out"], 20, "paper out reported")
        assert report[0]["url"] == printer.url and report[0]["devices"] == ["kiosk-p"]
        # The next visitor is told at once that the ticket will not come out of the printer.
        assert take(server, kiosk)["print"]["printer_status"] == "paper_out"
        printer.state = FakeState.ONLINE
        wait_until(lambda: reports[-1]["status"] == "online", 40, "the printer back online")
    finally:
        client.disconnect()
