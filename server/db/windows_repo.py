"""Window states in the database, as the core's `WindowState` values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, exists, select

from server.core.windows import WindowState, WindowStatus

from .account_tables import tokens
from .pipeline import QUEUED
from .scope import hall_of
from .ticket_tables import window_states
from .upsert import insert_for

# Every change reads every window's state: rows are unpacked by position, not looked up by name.
_COLUMNS = (
    window_states.c.window, window_states.c.status, window_states.c.staff_id, window_states.c.pause_reason,
    window_states.c.since, window_states.c.current_ticket,
)


def _to_state(row: Any) -> WindowState:  # a row of window_states
    window, status, staff_id, pause_reason, since, current_ticket = row
    return WindowState(
        window=window,
        status=WindowStatus(status),
        staff_id=staff_id,
        pause_reason=pause_reason,
        since=since,
        current_ticket=current_ticket,
    )


def get(conn: Connection, window_id: str, *, lock: bool = False) -> WindowState:
    return to_state(conn.execute(*state_query(conn, window_id, lock=lock)), window_id)


def state_query(conn: Connection, window_id: str, *, lock: bool = False) -> tuple[Any, dict[str, Any]]:
    """`get`'s statement (locking the row on PostgreSQL), for a batch of reads (server/db/batch.py)."""
    return (_ONE_LOCKED if lock and conn.dialect.name == "postgresql" else _ONE), \
        {"hall": hall_of(conn), "window": window_id}


def to_state(rows: Iterable[Any], window_id: str) -> WindowState:
    row = next(iter(rows), None)
    return _to_state(row) if row else WindowState(window=window_id)


_ONE = select(*_COLUMNS).where(window_states.c.hall == bindparam("hall"), window_states.c.window == bindparam("window"))
_ONE_LOCKED = _ONE.with_for_update()


def save(conn: Connection, state: WindowState) -> None:
    """One upsert, its answer never read: queued on PostgreSQL (server/db/pipeline.py)."""
    values = {
        "status": state.status.value,
        "staff_id": state.staff_id,
        "pause_reason": state.pause_reason,
        "since": state.since,
        "current_ticket": state.current_ticket,
    }
    conn.execute(_save_stmt(conn.dialect.name), {"hall": hall_of(conn), "window": state.window, **values},
                 execution_options=QUEUED)


@lru_cache(maxsize=4)
def _save_stmt(dialect: str) -> Any:
    stmt = insert_for(dialect)(window_states)
    return stmt.on_conflict_do_update(
        index_elements=[window_states.c.hall, window_states.c.window],
        set_={c: stmt.excluded[c] for c in ("status", "staff_id", "pause_reason", "since", "current_ticket")},
    )


def all_states(conn: Connection) -> dict[str, WindowState]:
    return to_states(conn.execute(*states_query(conn)))


def states_query(conn: Connection) -> tuple[Any, dict[str, Any]]:
    """Every window's state, as `all_states` reads it, for a batch of reads (server/db/batch.py)."""
    return _ALL_STATES, {"hall": hall_of(conn)}


def to_states(rows: Iterable[Any]) -> dict[str, WindowState]:
    return {state.window: state for state in map(_to_state, rows)}


_ALL_STATES = select(*_COLUMNS).where(window_states.c.hall == bindparam("hall"))


def held_without_sign_in(conn: Connection, now: datetime) -> list[str]:
    """Windows still open or paused whose staff has no live token left (signed out, or the
    sign-in expired): nobody there will call anyone."""
    live = exists().where(tokens.c.user_id == window_states.c.staff_id, tokens.c.revoked_at.is_(None),
                          tokens.c.expires_at > now)
    rows = conn.execute(
        select(window_states.c.window).where(
            window_states.c.hall == hall_of(conn), window_states.c.status != WindowStatus.CLOSED.value,
            window_states.c.staff_id.is_not(None), ~live,
        )
    )
    return [r.window for r in rows]
