"""The message queue between processes (Redis), made to lose nothing it is handed.

python-socketio's RedisManager gives a publish up after two tries and only logs it, and its
listener waits up to a minute (doubling from 1 s) before it subscribes again after an outage,
with nothing telling the clients that events went past them meanwhile. This relay:

- keeps every message Redis refused, in order, and sends them again every RETRY_S until Redis
  takes them (new messages queue behind them, so the order holds); `unsent_seq(hall)` tells a
  hall's emitter how far its mark may go (seqs are per hall: it looks only at that hall's events,
  those emitted to the hall's rooms, server.app.rooms);
- listens again within LISTEN_RETRY_MAX_S of Redis coming back, and then calls `on_back`, so
  the process tells its own clients to resync: what was published while it was not listening
  is lost to it, but all of it was committed before its clients' new snapshots are read;
- carries the order to drop a credential's connections (`end_sessions`) to every process, as an
  emit of a reserved event that each process turns into disconnects instead of sending it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from itertools import islice
from typing import Any

from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import RedisManager

from server.app.rooms import in_hall, is_credential_room

log = logging.getLogger("hallq.relay")

RETRY_S = 0.5
LISTEN_RETRY_MIN_S = 0.25
LISTEN_RETRY_MAX_S = 1.0
# Past this many waiting messages (a long outage), the oldest are dropped: the other processes'
# clients resync when Redis is back anyway, and the gap rule catches what they missed.
MAX_BACKLOG = 20_000
# Messages sent in one round trip at most.
PUBLISH_BATCH = 200
# An emit of this event is an order, never sent to a client: drop every connection in its room.
END_SESSIONS = "hallq:end-sessions"

# redis-py retries a failed command itself, three times with growing pauses, and quietly
# resubscribes a listener: that hides an outage from the relay. One try; the relay retries.
REDIS_OPTIONS: dict[str, Any] = {
    "retry": Retry(NoBackoff(), 0),
    "socket_connect_timeout": 2.0,
    "socket_keepalive": True,
}


class Relay(RedisManager):
    connected: bool  # the base class's, set in its own connect

    def __init__(self, url: str, channel: str, *, on_back: Callable[[], None] = lambda: None,
                 on_end_sessions: Callable[[str, dict[str, Any]], None] = lambda room, data: None) -> None:
        super().__init__(url, channel=channel, redis_options=dict(REDIS_OPTIONS))
        self._on_back = on_back
        self._on_end_sessions = on_end_sessions
        self._backlog: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()  # held by the one sender
        self._state = threading.Lock()  # guards the flags below
        self._down = False
        self._retrying = False
        self._sending = False

    # -- publishing ------------------------------------------------------------------------------

    def emit(self, event: str, data: Any, namespace: str | None = None, room: Any = None, skip_sid: Any = None,
             callback: Any = None, to: Any = None, **kwargs: Any) -> Any:
        """python-socketio's emit, with the message encoded for Redis once, here. The library
        searches the payload for bytes first, with a slow walk it calls by name whatever the
        server's packet class (a queue's update, an estimate for each place of its line, took
        327 µs), then encodes it when it is sent. The JSON encoder refuses bytes wherever they
        are, in C: a payload it encodes has none. One it refuses, a callback or a local-only emit
        takes the library's path."""
        if kwargs.get("ignore_queue") or callback is not None:
            return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback,
                                to=to, **kwargs)
        message = {"method": "emit", "event": event, "data": list(data) if isinstance(data, tuple) else [data],
                   "binary": False, "namespace": namespace or "/", "room": to or room, "skip_sid": skip_sid,
                   "callback": None, "host_id": self.host_id}
        try:
            text = self.json.dumps(message)
        except (TypeError, ValueError):  # bytes to attach, or something JSON has no form for
            return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid, to=to, **kwargs)
        self._handle_emit(message)  # this process's clients
        self._publish(Encoded(message, text))  # the other processes'
        return None

    def _publish(self, data: dict[str, Any]) -> None:
        # A message joins the queue and a task of its own sends what waits: the emitter goes on
        # with the next event instead of waiting for Redis's answer to each (a busy hall's emitter
        # fell behind by seconds, one round trip per event), and the task sends all that queued
        # meanwhile in one. While Redis is down, a message only joins the queue.
        self._backlog.append(data)
        if len(self._backlog) > MAX_BACKLOG:
            self._backlog.popleft()
            log.error("the message queue has been down long: dropping its oldest waiting message")
        self._start_sending()

    def _start_sending(self) -> None:
        task: Callable[[], None]
        with self._state:
            if self._down:
                if self._retrying:
                    return
                self._retrying, task = True, self._retry
            else:
                if self._sending or not self._backlog:
                    return
                self._sending, task = True, self._send_waiting
        self.server.start_background_task(task)

    def _send_waiting(self) -> None:
        try:
            with self._lock:
                self._flush()
        finally:
            with self._state:
                self._sending = False
        # A message queued after the flush found the queue empty, before `_sending` fell.
        if self._backlog or self._down:
            self._start_sending()

    def _flush(self) -> bool:
        """Send what waits, oldest first, in batches of one round trip; stop at the first refusal.
        Called holding the lock, the one sender at a time; appending needs no lock (a deque's
        append and popleft are atomic). A batch Redis failed part of is sent again whole: a
        client applies only seqs newer than it has."""
        while self._backlog:
            batch = list(islice(self._backlog, PUBLISH_BATCH))
            try:
                if not self.connected:
                    self._redis_connect()
                pipe = self.redis.pipeline(transaction=False)
                for message in batch:
                    text = message.text if isinstance(message, Encoded) else self.json.dumps(message)
                    pipe.publish(self.channel, text)
                pipe.execute()
            except Exception as exc:  # any failure: keep the messages, try again later
                self.connected = False
                if not self._down:
                    log.error("the message queue refused a message (%s); keeping it and %s more until it is back",
                              exc, len(self._backlog) - 1)
                self._down = True
                return False
            for _ in batch:
                self._backlog.popleft()
        if self._down:
            log.warning("the message queue is back: sent what waited")
        self._down = False
        return True

    def _retry(self) -> None:
        while True:
            time.sleep(RETRY_S)
            with self._lock:
                if self._flush():
                    with self._state:
                        self._retrying = False
                    break
        if self._backlog:
            self._start_sending()

    def unsent_seq(self, hall: str) -> int | None:
        """The oldest event seq of `hall` still waiting for the message queue, if any. Two halls'
        seqs overlap: an emit counts only when no room it goes to is another hall's (a
        credential's room is the installation's)."""
        prefix = in_hall(hall, "")
        for message in list(self._backlog):
            data = message.get("data")
            first = data[0] if isinstance(data, list) and data else None
            if message.get("method") == "emit" and isinstance(first, dict) and isinstance(first.get("seq"), int) \
                    and _of_hall(prefix, message.get("room")):
                return first["seq"]
        return None

    # -- listening -------------------------------------------------------------------------------

    def _redis_listen_with_retries(self):
        pause, failed = LISTEN_RETRY_MIN_S, False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if failed:
                    log.warning("listening to the message queue again")
                    failed = False
                    self.server.start_background_task(self._back)
                pause = LISTEN_RETRY_MIN_S
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - an outage of any kind: listen again soon
                if not failed:
                    log.error("lost the message queue (%s); listening again as soon as it answers", exc)
                failed = True
                time.sleep(pause)
                pause = min(pause * 2, LISTEN_RETRY_MAX_S)

    def _back(self) -> None:
        with self._lock:
            if self._backlog:
                self._flush()
        self._on_back()

    # -- ending sessions -------------------------------------------------------------------------

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == END_SESSIONS:
            data = message.get("data")
            self._on_end_sessions(str(message.get("room")), data[0] if isinstance(data, list) and data else {})
            return
        if message.get("callback") is None and not self._listened_here(message.get("namespace"), message.get("room")):
            # Every process hears every emit of the installation, and python-socketio builds and
            # encodes its packet before it looks for anyone in the rooms: a process serving other
            # halls' screens (a province), or only API clients, did that for nothing.
            return
        super()._handle_emit(message)

    def _listened_here(self, namespace: Any, room: Any) -> bool:
        """Whether a connection of this process is in any of the emit's rooms (None: all of them)."""
        connected = self.rooms.get(namespace or "/")
        if not connected:
            return False
        if room is None:
            return True
        return any(connected.get(r) for r in (room if isinstance(room, list | tuple) else [room]))


class Encoded(dict[str, Any]):
    """A message with its JSON for Redis, made once by `Relay.emit`."""

    def __init__(self, message: dict[str, Any], text: str) -> None:
        super().__init__(message)
        self.text = text


def _of_hall(prefix: str, room: Any) -> bool:
    rooms = room if isinstance(room, list) else [room]
    return bool(rooms) and all(isinstance(r, str) and (r.startswith(prefix) or is_credential_room(r)) for r in rooms)
