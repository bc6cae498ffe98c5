"""Named counters (the `counters` table): ticket and case numbers, the event sequence, the emitter's
mark. Taken inside the transaction that uses the value, which is what keeps the numbers gapless."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, select

from .log_tables import counters
from .scope import hall_of
from .upsert import insert_for, upsert_for

# The hall's event sequence: the unit of work takes the next one as a change's last statement.
# Each hall has its own, so halls never wait on each other's row.
SEQ = "seq"


def next_counter(conn: Connection, name: str) -> int:
    """Take the next value of a named counter of the connection's hall, in this transaction (gapless)."""
    return int(conn.execute(_next_counter_stmt(conn.dialect.name), {"hall": hall_of(conn), "name": name}).scalar_one())


# The hot writes are built once per dialect with bound parameters: composing an upsert per
# request cost a tenth of a ticket's time (docs/performance.md).
@lru_cache(maxsize=4)
def _next_counter_stmt(dialect: str) -> Any:
    stmt = insert_for(dialect)(counters).values(hall=bindparam("hall"), name=bindparam("name"), value=1)
    return stmt.on_conflict_do_update(
        index_elements=[counters.c.hall, counters.c.name], set_={"value": counters.c.value + 1}
    ).returning(counters.c.value)


def read_counter(conn: Connection, name: str) -> int | None:
    """A counter's value, None when it was never taken."""
    value = conn.execute(
        select(counters.c.value).where(counters.c.hall == hall_of(conn), counters.c.name == name)).scalar()
    return None if value is None else int(value)


def set_counter(conn: Connection, name: str, value: int) -> None:
    conn.execute(
        upsert_for(conn)(counters).values(hall=hall_of(conn), name=name, value=value)
        .on_conflict_do_update(index_elements=[counters.c.hall, counters.c.name], set_={"value": value})
    )


def current_seq(conn: Connection) -> int:
    """The sequence number of the hall's latest logged change (0: none yet)."""
    return read_counter(conn, SEQ) or 0
