"""A process of several halls runs their print spoolers in one round (issue 16): every hall's due
jobs in one read, each hall's jobs on its own printers, and none of a hall the process does not
lead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from server.app.print_spooler import spool_all
from server.db.print_jobs_repo import enqueue_print
from server.db.uow import SYSTEM
from tests.api.test_halls_one_process import city, svc_of  # noqa: F401 - the fixture

PAYLOAD = b"\x1b@A001\n"


def queue_job(city: Any, code: str, printer: Path, ref: str) -> None:  # noqa: F811
    with svc_of(city, code).write(SYSTEM) as uow:
        enqueue_print(uow.conn, f"file://{printer}", PAYLOAD + ref.encode(), "ticket", ref, now=uow.now)
        uow.commit()


def test_one_read_serves_every_hall_s_spooler_and_each_prints_its_own(city, tmp_path, clock):  # noqa: F811
    printers = {code: tmp_path / f"{code}.prn" for code in ("city", "east", "west")}
    for code, printer in printers.items():
        queue_job(city, code, printer, f"{code}-1")
    queue_job(city, "east", printers["east"], "east-2")
    spoolers = [served.spooler for served in city.halls]
    west = city.halls.get("west")
    west.publisher.step_down()  # another process emits for west, and prints for it

    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "print_jobs" in statement:
            reads.append(statement)

    engine = svc_of(city, "city").engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        spool_all(spoolers, clock())
        for s in spoolers:
            assert s.spooler.wait_idle(10)
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert len([r for r in reads if r.lstrip().upper().startswith("SELECT")]) == 1
    assert printers["city"].read_bytes() == PAYLOAD + b"city-1"
    assert printers["east"].read_bytes() == PAYLOAD + b"east-1" + PAYLOAD + b"east-2"
    assert not printers["west"].exists()  # west's leader prints it
