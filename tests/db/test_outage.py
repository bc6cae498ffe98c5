"""Which database errors are an outage (503, try again) and which a defect (500, logged): a hall's
monitoring and its staff tell the two apart by the status (server/db/outage.py)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import exc as sa

from server.db.outage import unavailable


def wrapped(orig: BaseException, kind: type[sa.DBAPIError] = sa.OperationalError, **kw) -> sa.DBAPIError:
    return kind("SELECT 1", {}, orig, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("error", "outage"), [
    (wrapped(psycopg.OperationalError("connection failed: Connection refused")), True),
    (wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")), True),
    (wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
    (wrapped(psycopg.errors.TooManyConnections("sorry, too many clients already")), True),
    (wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), True),
    (wrapped(psycopg.errors.UndefinedColumn("column x does not exist"), sa.ProgrammingError), False),
    (wrapped(psycopg.errors.UniqueViolation("duplicate key"), sa.IntegrityError), False),
    (wrapped(sqlite3.OperationalError("database is locked")), True),
    (wrapped(sqlite3.OperationalError("no such table: tickets")), False),
    (wrapped(ValueError("anything"), connection_invalidated=True), True),
    (sa.TimeoutError("QueuePool limit of size 5 overflow 10 reached"), True),
    # Raised by the driver itself, on the event tail's own listening connection.
    (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
    (psycopg.errors.UndefinedTable("relation x does not exist"), False),
    (sqlite3.OperationalError("database is locked"), True),
    (ValueError("a bug"), False),
])
def test_an_outage_is_told_from_a_defect(error, outage):
    assert unavailable(error) is outage


def test_a_background_round_logs_an_outage_in_one_line_and_a_defect_with_its_traceback(caplog):
    import logging

    from server.app.outage import log_failure

    log = logging.getLogger("hallq.test-outage")
    with caplog.at_level(logging.WARNING, logger=log.name):
        try:
            raise wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))
        except Exception:
            log_failure(log, "event tail failed; retrying")
        try:
            raise ValueError("a bug")
        except Exception:
            log_failure(log, "%s failed", "outbox pass")
    outage, defect = caplog.records
    assert outage.levelname == "WARNING" and outage.exc_info is None
    assert outage.getMessage().startswith("event tail failed; retrying (the database is not answering: ")
    assert "administrator command" in outage.getMessage()
    assert defect.levelname == "ERROR" and defect.exc_info and defect.getMessage() == "outbox pass failed"
