"""What came before each event in each of its rooms, so a client can see that it missed one.

A client in a few rooms does not see every `seq`: the changes of other rooms (and changes with
no event at all) leave holes that are no loss. So every event carries `prev`: for each room it
is sent to, the `seq` of the previous event sent to that room. A client that holds a room as of
`seq` H (its snapshot, or the last event it had there) and gets an event whose `prev` for that
room is newer than H has missed that one, and resubscribes (docs/api.md, "The gap rule").

The emitter stamps events in the order it sends them. A room it has not sent to since it began
gets the seq it began from: every client's snapshot is at least that recent, or the client is
told to resync (a new emitter that could not replay what its predecessor left undone).

A chain is one hall's (its publisher's): seqs are per hall, and so are its rooms, which it keys
by the protocol's names, as clients read `prev` (server.app.rooms puts them in the hall).
"""

from __future__ import annotations

from typing import Any

# Ticket rooms come and go all day: the least recently used are forgotten past this many.
MAX_ROOMS = 50_000


class RoomChain:
    def __init__(self, start: int) -> None:
        self._last: dict[str, int] = {}
        self._floor = start

    def restart(self, start: int) -> None:
        self._last.clear()
        self._floor = start

    def stamp(self, seq: int, rooms: list[str], data: dict[str, Any]) -> dict[str, Any]:
        """The payload to send: `data` with `prev`; records this event as its rooms' latest."""
        prev = {room: self._last.get(room, self._floor) for room in rooms}
        for room in rooms:
            # Re-inserted, so the dict's order is least recently sent first.
            self._last.pop(room, None)
            self._last[room] = seq
        if len(self._last) > MAX_ROOMS:
            for room in list(self._last)[: MAX_ROOMS // 2]:
                # A forgotten room reads as "sent to as late as anything forgotten": at worst one
                # needless resubscribe for a client that held it from before.
                self._floor = max(self._floor, self._last.pop(room))
        return {**data, "prev": prev}
