"""Kiosk agents over Socket.IO: `agent.hello` and `print.ack` in, `print.job` out.

The spooler and the agents' jobs are server.app.print_spooler's; this is only their connection.
An agent waits in its hall's `agent:NAME` room (device names are the installation's, the room
is the hall's all the same, like every room but a credential's: server.app.rooms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_socketio import SocketIO, join_room

from server.app.print_spooler import PrintSpooler
from server.app.rooms import agent_room
from server.core.errors import DomainError

from .sockets import identity


def sender(socketio: SocketIO, hall: str) -> Any:
    """How the spooler of `hall` sends a job to one of its kiosks' agents."""

    def send(device: str, job: dict[str, Any]) -> None:
        socketio.emit("print.job", job, to=agent_room(hall, device))

    return send


def register_agent_handlers(socketio: SocketIO, spooler: Callable[[], PrintSpooler]) -> None:
    """`spooler()`: the print spooler of the connection's hall."""

    @socketio.on("agent.hello")
    def _hello(data: Any = None) -> dict[str, Any]:
        printing = spooler()
        try:
            name = printing.agent_of(_device())
        except DomainError as exc:
            return _error(exc)
        # Join first, read second: a job committed in between is pushed, not missed.
        join_room(agent_room(printing.hall, name))
        return printing.hello(name)

    @socketio.on("print.ack")
    def _ack(data: Any = None) -> dict[str, Any]:
        try:
            return spooler().acknowledge(_device(), data)
        except DomainError as exc:
            return _error(exc)


def _device() -> dict[str, Any] | None:
    who = identity()
    return who.get("device") if who["kind"] == "device" else None


def _error(exc: DomainError) -> dict[str, Any]:
    return {"error": {"code": exc.code, "message": exc.message}}
