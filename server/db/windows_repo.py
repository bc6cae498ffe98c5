"""Window states in the database, as the core's `WindowState` values."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from server.core.windows import WindowState, WindowStatus

from .tables import window_states


def _to_state(row) -> WindowState:  # noqa: ANN001
    return WindowState(
        window=row.window,
        status=WindowStatus(row.status),
        staff_id=row.staff_id,
        pause_reason=row.pause_reason,
        since=row.since,
        current_ticket=row.current_ticket,
    )


def get(conn: Connection, window_id: str, *, lock: bool = False) -> WindowState:
    stmt = select(window_states).where(window_states.c.window == window_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return _to_state(row) if row else WindowState(window=window_id)


def save(conn: Connection, state: WindowState) -> None:
    values = {
        "status": state.status.value,
        "staff_id": state.staff_id,
        "pause_reason": state.pause_reason,
        "since": state.since,
        "current_ticket": state.current_ticket,
    }
    done = conn.execute(
        update(window_states).where(window_states.c.window == state.window).values(**values)
    ).rowcount
    if not done:
        conn.execute(insert(window_states).values(window=state.window, **values))


def all_states(conn: Connection) -> dict[str, WindowState]:
    """Every window's state; read by every change, so unpacked by position."""
    return {
        window: WindowState(
            window=window, status=WindowStatus(status), staff_id=staff_id, pause_reason=pause_reason, since=since,
            current_ticket=current,
        )
        for window, status, staff_id, pause_reason, since, current in conn.execute(_ALL_STATES)
    }


_ALL_STATES = select(
    window_states.c.window, window_states.c.status, window_states.c.staff_id, window_states.c.pause_reason,
    window_states.c.since, window_states.c.current_ticket,
)
