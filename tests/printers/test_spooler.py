import time
from datetime import datetime, timedelta

import pytest

from printers.connections import PrinterStatus, dummy_output
from printers.jobs import InMemoryJobStore, JobState
from printers.spooler import Spooler
from tests.support.escpos_fake import FakePrinter, FakeState

T0 = datetime(2025, 11, 25, 9, 0, 0)
PAYLOAD = b"\x1b@A007\n\x1bd\x06\x1dV\x00"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, PrinterStatus]] = []

    def __call__(self, url: str, status: PrinterStatus) -> None:
        self.seen.append((url, status))


@pytest.fixture
def store() -> InMemoryJobStore:
    return InMemoryJobStore()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def spooler(store, recorder):
    spooler = Spooler(store, on_status=recorder, read_timeout=0.2)
    yield spooler
    spooler.close()


def run(spooler: Spooler, seconds: float) -> int:
    handed = spooler.run_once(at(seconds))
    assert spooler.wait_idle(10)
    return handed


def test_a_due_job_prints_and_is_marked_printed(fake, store, spooler, recorder):
    job = store.add(fake.url, PAYLOAD, T0)
    assert run(spooler, 0) == 1
    assert fake.received == PAYLOAD
    assert store.get(job.id).state is JobState.PRINTED
    assert store.get(job.id).printed_at == T0
    assert recorder.seen == [(fake.url, PrinterStatus.ONLINE)]


def test_jobs_print_in_order_and_only_once(fake, store, spooler):
    jobs = [store.add(fake.url, f"job {n}\n".encode(), T0) for n in range(3)]
    run(spooler, 0)
    run(spooler, 1)
    assert fake.received == b"job 0\njob 1\njob 2\n"
    assert all(store.get(j.id).state is JobState.PRINTED for j in jobs)


def test_an_offline_printer_prints_within_30_seconds_of_coming_back(store, spooler, recorder):
    printer = FakePrinter().start()
    printer.stop()  # keeps its port: the same URL answers again after start()
    job = store.add(printer.url, PAYLOAD, T0)
    tries = []
    try:
        for second in range(0, 120):
            if second == 47:
                printer.start()
            before = store.get(job.id).attempts
            run(spooler, second)
            if store.get(job.id).attempts > before:
                tries.append(second)
            if store.get(job.id).state is JobState.PRINTED:
                break
        assert store.get(job.id).state is JobState.PRINTED
        printed = (store.get(job.id).printed_at - T0).total_seconds()
    finally:
        printer.stop()
    assert 47 <= printed <= 47 + 30
    assert tries[:5] == [0, 1, 3, 7, 15]  # 1, 2, 4, 8 s apart ...
    assert {b - a for a, b in zip(tries[4:], tries[5:], strict=False)} == {15}  # ... then capped
    assert [s for _, s in recorder.seen] == [PrinterStatus.OFFLINE, PrinterStatus.ONLINE]
    assert printer.received == PAYLOAD


def test_paper_out_is_reported_and_nothing_is_sent_until_paper_is_back(fake, store, spooler, recorder):
    fake.state = FakeState.PAPER_OUT
    job = store.add(fake.url, PAYLOAD, T0)
    run(spooler, 0)
    assert recorder.seen == [(fake.url, PrinterStatus.PAPER_OUT)]
    assert fake.received == b""
    assert store.get(job.id).state is JobState.QUEUED
    assert "paper_out" in store.get(job.id).last_error

    fake.state = FakeState.ONLINE
    run(spooler, 1)
    assert store.get(job.id).state is JobState.PRINTED
    assert recorder.seen[-1] == (fake.url, PrinterStatus.ONLINE)


def test_a_job_the_printer_took_but_did_not_confirm_is_not_marked_printed(fake, store, spooler):
    fake.after_data = FakeState.SILENT  # e.g. powered off right after taking the bytes
    job = store.add(fake.url, PAYLOAD, T0)
    run(spooler, 0)
    assert fake.received == PAYLOAD
    after = store.get(job.id)
    assert after.state is JobState.QUEUED
    assert after.attempts == 1
    assert "not confirmed" in after.last_error
    assert after.next_try_at == at(1)


def test_paper_running_out_during_a_job_leaves_it_queued(fake, store, spooler, recorder):
    fake.after_data = FakeState.PAPER_OUT
    job = store.add(fake.url, PAYLOAD, T0)
    run(spooler, 0)
    assert store.get(job.id).state is JobState.QUEUED
    assert recorder.seen[-1] == (fake.url, PrinterStatus.PAPER_OUT)


def test_paper_near_end_still_prints_and_is_reported(fake, store, spooler, recorder):
    fake.state = FakeState.PAPER_NEAR_END
    job = store.add(fake.url, PAYLOAD, T0)
    run(spooler, 0)
    assert store.get(job.id).state is JobState.PRINTED
    assert recorder.seen == [(fake.url, PrinterStatus.PAPER_NEAR_END)]


def test_a_dead_printer_does_not_delay_another(store, recorder):
    spooler = Spooler(store, on_status=recorder, read_timeout=2.0)
    with FakePrinter(FakeState.SILENT) as dead, FakePrinter() as alive:
        store.add(dead.url, PAYLOAD, T0)
        job = store.add(alive.url, PAYLOAD, T0)
        spooler.run_once(T0)
        # The dead printer's worker waits 2 s for a status answer; the live one is done
        # long before.
        alive.wait_for_data(len(PAYLOAD), timeout=1.5)
        spooler.wait_idle(10)
        assert store.get(job.id).state is JobState.PRINTED
    spooler.close()


def test_a_busy_printer_is_not_handed_the_same_job_twice(store, recorder):
    spooler = Spooler(store, on_status=recorder, read_timeout=1.0)
    with FakePrinter(FakeState.SILENT) as slow:
        store.add(slow.url, PAYLOAD, T0)
        assert spooler.run_once(at(0)) == 1
        assert spooler.run_once(at(0.1)) == 0  # its worker is still waiting for an answer
        spooler.wait_idle(10)
    spooler.close()


def test_printers_that_cannot_report_count_a_clean_write(tmp_path, store, spooler, dummy_url):
    file_job = store.add(f"file://{tmp_path / 'lp0'}", PAYLOAD, T0)
    dummy_job = store.add(dummy_url, PAYLOAD, T0)
    run(spooler, 0)
    assert store.get(file_job.id).state is JobState.PRINTED
    assert store.get(dummy_job.id).state is JobState.PRINTED
    assert dummy_output(dummy_url) == PAYLOAD
    assert (tmp_path / "lp0").read_bytes() == PAYLOAD


def test_a_tcp_printer_marked_status_none_counts_a_clean_write(fake, store, spooler):
    fake.state = FakeState.SILENT
    job = store.add(fake.url + "?status=none", PAYLOAD, T0)
    run(spooler, 0)
    assert store.get(job.id).state is JobState.PRINTED
    assert fake.queries == []


def test_an_expired_job_is_given_up_not_printed(fake, store, spooler):
    job = store.add(fake.url, PAYLOAD, T0, expires_at=at(60))
    run(spooler, 60)
    assert store.get(job.id).state is JobState.GAVE_UP
    assert fake.received == b""


def test_a_job_with_a_bad_url_is_given_up_with_the_reason(store, spooler):
    job = store.add("tcp://10.0.0.5", PAYLOAD, T0)
    run(spooler, 0)
    assert store.get(job.id).state is JobState.GAVE_UP
    assert "has no port" in store.get(job.id).last_error


def test_watched_idle_printers_are_polled_for_their_status(fake, store, spooler, recorder):
    fake.state = FakeState.PAPER_NEAR_END
    spooler.watch([fake.url])
    run(spooler, 0)
    assert recorder.seen == [(fake.url, PrinterStatus.PAPER_NEAR_END)]
    run(spooler, 10)
    assert fake.queries == [1, 4]  # not again before poll_interval
    fake.state = FakeState.PAPER_OUT
    run(spooler, 30)
    assert spooler.status_of(fake.url) is PrinterStatus.PAPER_OUT


def test_a_failing_status_callback_does_not_stop_printing(fake, store):
    def explode(url, status):
        raise RuntimeError("console down")

    spooler = Spooler(store, on_status=explode)
    job = store.add(fake.url, PAYLOAD, T0)
    spooler.run_once(T0)
    spooler.wait_idle(10)
    spooler.close()
    assert store.get(job.id).state is JobState.PRINTED


def test_jobs_read_holding_the_spooler_are_never_handed_twice(store, recorder):
    """A caller reading the due jobs itself (one read for many halls' spoolers) holds the spooler:
    a job printed between its read and its handing out stays on a busy worker, not printed again."""
    spooler = Spooler(store, on_status=recorder, read_timeout=0.5)
    with FakePrinter() as fake:
        store.add(fake.url, PAYLOAD, T0)
        with spooler.held():
            stale = store.due_jobs(at(0))
            assert spooler.run_once(at(0), stale) == 1
            fake.wait_for_data(len(PAYLOAD), timeout=5)
            time.sleep(0.3)  # printed and marked; its worker waits to turn idle
            assert store.due_jobs(at(0.5)) == []
            assert spooler.run_once(at(0.5), stale) == 0  # the read that is now stale hands nothing
        assert spooler.wait_idle(10)
        assert fake.received == PAYLOAD
    spooler.close()
