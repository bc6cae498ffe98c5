"""Which hall a connection works for.

Every hall-scoped row carries its hall (migration 0021). A unit of work is for one hall: it puts the
hall's code on its connection, and every statement of `server.db` reads it from there with
`hall_of(conn)`, to write it into new rows and to read and change only that hall's. A connection
without one is a programming error, named as such, never a silent read of every hall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

HALL_KEY = "hallq_hall"

# The hall of a connection opened without one. Nothing in the server sets it, so a statement there
# on an unscoped connection fails; the test suite sets it to the demo hall's code, for the tests
# that drive a repository on a bare connection.
BARE_CONNECTION_HALL: list[str] = []


def hall_of(conn: Connection) -> str:
    """The code of the hall this connection's statements are for."""
    try:
        return str(conn.info[HALL_KEY])
    except KeyError:
        if BARE_CONNECTION_HALL:
            return BARE_CONNECTION_HALL[0]
        raise RuntimeError("this database connection is for no hall: open it through a unit of work "
                           "or `for_hall()`") from None


@contextmanager
def for_hall(conn: Connection, hall: str) -> Iterator[Connection]:
    """Scope `conn` to `hall` for the block (`conn.info` outlives the checkout: it is cleared after)."""
    conn.info[HALL_KEY] = hall
    try:
        yield conn
    finally:
        conn.info.pop(HALL_KEY, None)
