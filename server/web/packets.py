"""The Socket.IO packet HallQ's server sends with: python-socketio's, with a faster test for binary
data.

Every packet built is first searched for bytes (binary attachments go separately on the wire).
The library's search builds a list and folds it with a lambda at every dict and list of the
payload, and runs once per emit on every process: on a busy emitter it was about a tenth of the
process's CPU. A queue's update holds an estimate for every place in its line, a thousand values
for a line of 250. This one asks the JSON encoder first, which runs in C and refuses bytes
wherever they are; only a payload it refuses for any reason is walked, with a stack, stopping at
the first bytes found. Its answer is the same for any payload (tests/unit/test_packets.py).
"""

from __future__ import annotations

import json
from typing import Any

from socketio.packet import Packet


def has_binary(data: Any) -> bool:
    """Whether bytes or a bytearray occur anywhere in `data`'s dicts' values and lists."""
    try:
        json.dumps(data)
        return False  # the encoder went through every dict and list: no bytes anywhere
    except (TypeError, ValueError):
        pass  # bytes, or something else JSON has no form for: look
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, bytes | bytearray):
            return True
    return False


class HallPacket(Packet):
    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        return has_binary(data)
