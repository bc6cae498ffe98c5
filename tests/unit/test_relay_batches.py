"""The relay hands events to Redis without making the emitter wait for each: what queues while a
send is under way goes out in one round trip, in order, and a refusal keeps every message."""

from __future__ import annotations

import json
from typing import Any

from server.web.relay import Relay


class FakePipeline:
    def __init__(self, redis: FakeRedis) -> None:
        self.redis, self.queued = redis, []

    def publish(self, channel: str, payload: str) -> None:
        self.queued.append(payload)

    def execute(self) -> None:
        if self.redis.refuse:
            raise ConnectionError("Redis is down")
        self.redis.trips.append(self.queued)


class FakeRedis:
    def __init__(self) -> None:
        self.trips: list[list[str]] = []
        self.refuse = False

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        assert not transaction
        return FakePipeline(self)


class FakeServer:
    def __init__(self) -> None:
        self.tasks: list[Any] = []

    def start_background_task(self, fn: Any) -> None:
        self.tasks.append(fn)


def relay() -> tuple[Relay, FakeRedis, FakeServer]:
    r = Relay("redis://127.0.0.1:1/0", "hallq:test")
    r.redis, r.connected = FakeRedis(), True
    r.server = FakeServer()
    r._redis_connect = lambda: setattr(r, "connected", True)  # type: ignore[method-assign]
    return r, r.redis, r.server  # type: ignore[return-value]


def emit(seq: int) -> dict[str, Any]:
    return {"method": "emit", "event": "queue.updated", "data": [{"seq": seq}], "room": ["city/hall"]}


def test_what_queues_while_the_sender_is_on_its_way_goes_in_one_trip_in_order():
    r, redis, server = relay()
    for seq in (1, 2, 3):
        r._publish(emit(seq))  # returns at once: nothing waited for Redis
    assert redis.trips == [] and len(server.tasks) == 1
    assert r.unsent_seq("city") == 1  # the emitter's mark stays before them meanwhile
    server.tasks.pop()()
    assert [[json.loads(m)["data"][0]["seq"] for m in trip] for trip in redis.trips] == [[1, 2, 3]]
    assert r.unsent_seq("city") is None and server.tasks == []
    r._publish(emit(4))
    assert len(server.tasks) == 1  # the next message starts the next send


def test_a_refused_trip_keeps_every_message_and_retries_them_in_order():
    r, redis, server = relay()
    redis.refuse = True
    r._publish(emit(1))
    r._publish(emit(2))
    server.tasks.pop()()
    assert redis.trips == [] and r.unsent_seq("city") == 1
    assert [t.__name__ for t in server.tasks] == ["_retry"]  # one retry task, not one per message
    r._publish(emit(3))
    assert len(server.tasks) == 1
    redis.refuse = False
    r._flush()
    assert len(redis.trips) == 1 and len(redis.trips[0]) == 3 and r.unsent_seq("city") is None



def test_an_emit_to_rooms_no_connection_here_is_in_builds_no_packet(monkeypatch):
    from socketio.manager import Manager

    r, _, _ = relay()
    built: list[Any] = []
    monkeypatch.setattr(Manager, "emit", lambda self, event, data, namespace, room=None, **kw: built.append(room))
    r.rooms = {"/": {None: {"sid1": "eio1"}, "city/hall": {"sid1": "eio1"}}}
    sent = {"namespace": "/"}
    r._handle_emit({**emit(1), **sent})  # a screen of this process is in the hall's room
    r._handle_emit({**emit(2), **sent, "room": ["town/hall", "town/queue:A"]})  # another hall's screens only
    r._handle_emit({**emit(3), **sent, "room": "city/ticket:abc"})
    r._handle_emit({**emit(4), **sent, "room": None})  # to everyone connected here
    assert built == [["city/hall"], None]
    r.rooms = {}
    r._handle_emit({**emit(5), **sent})  # nobody connected at all
    assert built == [["city/hall"], None]


def sent(r: Relay, emit: Any, *args: Any, **kwargs: Any) -> list[tuple[str, dict[str, Any]]]:
    """What `emit` hands to this process's clients and to Redis."""
    out: list[tuple[str, dict[str, Any]]] = []
    r._handle_emit = lambda m: out.append(("here", m))  # type: ignore[method-assign]
    r._publish = lambda m: out.append(("redis", m))  # type: ignore[method-assign]
    emit(*args, **kwargs)
    return out


def test_an_emit_hands_on_the_message_the_library_would_encoded_once():
    from socketio.pubsub_manager import PubSubManager

    r, _, _ = relay()
    ticket = {"ticket": {"id": "t1", "number": "A001", "order": ["A002", "A003"]}, "seq": 7, "prev": None}
    for args, kwargs in [
        (("ticket.called", ticket), {"to": ["city/hall", "city/queue:A"]}),
        (("queue.updated", {"queue": {"order": []}}), {"room": "city/hall", "namespace": "/"}),
        (("pair", ("a", {"b": 1})), {"to": "city/hall", "skip_sid": "s1"}),
        (("announcement", {"wav": b"RIFF"}), {"to": "city/hall"}),  # bytes: the library's own path
    ]:
        ours = sent(r, r.emit, *args, **kwargs)
        assert ours == sent(r, PubSubManager.emit.__get__(r), *args, **kwargs)
        to_redis = ours[-1][1]
        if not to_redis["binary"]:  # sent as encoded in the emit
            assert json.loads(to_redis.text) == to_redis  # type: ignore[attr-defined]


def test_what_goes_to_redis_is_the_emit_s_encoding_or_the_message_s_own():
    r, redis, server = relay()
    r.emit("queue.updated", {"queue": {"order": ["A001"]}, "seq": 3}, to=["city/hall"])
    r._publish({"method": "disconnect", "sid": "s1", "namespace": "/", "host_id": r.host_id})
    server.tasks.pop()()
    sent_now = [json.loads(m) for m in redis.trips[0]]
    assert [m["method"] for m in sent_now] == ["emit", "disconnect"]
    assert sent_now[0]["data"] == [{"queue": {"order": ["A001"]}, "seq": 3}] and r.unsent_seq("city") is None
