"""The baseline: a bare Flask-SocketIO app on eventlet, one SQLAlchemy insert + commit + emit per POST.

HallQ's figures are printed as ratios to this app, measured in the same run on the same machine.
To keep the ratio fair it runs the same stack the same way as `hallq serve`:

- eventlet monkey-patched first, `PSYCOPG_WAIT_FUNC=wait_select` for PostgreSQL;
- SQLite with WAL, `synchronous=FULL` and `BEGIN IMMEDIATE` for every write (server/db/engine.py);
- `max_size` above eventlet's 1024 connections, `gc.freeze()` after start-up, no access log;
- an event payload shaped like HallQ's ticket T, so a broadcast carries as many bytes.

What it leaves out is exactly what HallQ adds: authentication, the queue engine, the audit log,
the event sequence, and the queue/window views each change emits.

    python -m bench.bare_app --port 5900 --db sqlite:////tmp/bare.db [--message-queue redis://...]
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench.bare_app", description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", required=True, help="sqlite:////path or postgresql://...")
    p.add_argument("--message-queue", help="redis://... to join several processes, as hallq serve does")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(list(sys.argv[1:] if argv is None else argv))
    # Same order as server/__main__.py: psycopg's wait function and the patch before any import.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    # eventlet 0.41 warns on import that it is deprecated; HallQ filters the same warning.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    return serve(args)


def serve(args: argparse.Namespace) -> int:  # noqa: C901 - one small app, kept in one place
    import gc
    import resource
    import secrets
    import signal
    from datetime import UTC, datetime

    from flask import Flask, jsonify, request
    from flask_socketio import SocketIO, join_room
    from sqlalchemy import DateTime, String, create_engine, event
    from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Ticket(Base):
        __tablename__ = "bare_tickets"
        id = mapped_column(String(32), primary_key=True)
        queue = mapped_column(String(8))
        number = mapped_column(String(16))
        issued_at = mapped_column(DateTime(timezone=True))

    url = args.db.replace("postgresql://", "postgresql+psycopg://", 1)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    Base.metadata.create_all(engine)

    app = Flask("bare")
    socketio = SocketIO(app, async_mode="eventlet", message_queue=args.message_queue,
                        cors_allowed_origins="*", max_http_buffer_size=64 * 1024,
                        ping_interval=10, ping_timeout=10)

    @app.get("/healthz")
    def healthz():
        return jsonify({"ok": True})

    @app.post("/tickets")
    def take():
        body = request.get_json(silent=True) or {}
        queue = str(body.get("queue") or "A")[:8]
        event_name = "ticket.called" if body.get("event") == "ticket.called" else "ticket.issued"
        now = datetime.now(UTC)
        t = Ticket(id=secrets.token_urlsafe(16), queue=queue, number=f"{queue}{secrets.randbelow(1000):03d}",
                   issued_at=now)
        with Session(engine) as s:
            s.add(t)
            s.commit()
            view = _view(t.id, t.queue, t.number, now.isoformat(timespec="seconds"))
        socketio.emit(event_name, {"ticket": view, "window": "1", "window_name": "1号窗口", "recall": False,
                                   "seq": 0}, to="hall")
        return jsonify({"ticket": view}), 201

    @socketio.on("connect")
    def _connect(auth=None) -> bool:
        return True

    @socketio.on("subscribe")
    def _subscribe(data=None) -> dict:
        rooms = data.get("rooms") if isinstance(data, dict) else None
        for room in rooms if isinstance(rooms, list) else []:
            join_room(str(room))
        return {"seq": 0}

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    def _stop(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    gc.collect()
    gc.freeze()
    try:
        socketio.run(app, host=args.host, port=args.port, log_output=False, max_size=20000)
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        engine.dispose()
    return 0


def _view(tid: str, queue: str, number: str, issued_at: str) -> dict:
    """A ticket shaped like HallQ's ticket T (server/app/views.py), so payloads weigh the same."""
    return {
        "id": tid, "number": number, "queue": queue, "queue_name": "企业登记", "queue_name_en": "Business Registration",
        "department": "SCJG", "item": None, "item_name": None, "item_name_en": None, "status": "called",
        "priority": "normal", "green_reason": None, "issued_at": issued_at, "called_at": issued_at,
        "finished_at": None, "ahead": 0, "estimated_wait_s": 0, "unserved": False, "window": "1",
        "window_name": "1号窗口", "window_name_en": "Window 1", "target_window": None, "recalls": 0,
        "outcome": None, "note": "", "status_url": f"http://127.0.0.1:5000/t/{tid}",
    }


if __name__ == "__main__":
    sys.exit(main())
