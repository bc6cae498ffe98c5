"""The server's Socket.IO packets find binary data exactly as python-socketio's own do, faster."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from socketio.packet import Packet

from server.web.packets import HallPacket, has_binary

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
payloads = st.recursive(
    scalars | st.binary(max_size=3) | st.binary(max_size=3).map(bytearray),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=30,
)


@given(payloads)
def test_it_finds_binary_data_wherever_the_library_does(data):
    assert has_binary(data) is Packet.data_is_binary(data)
    assert HallPacket.data_is_binary(data) is Packet.data_is_binary(data)


def test_bytes_deep_in_a_ticket_event_are_found_and_a_plain_event_is_text():
    plain = {"ticket": {"id": "x", "number": "A001", "range": {"low": 1, "high": [2, 3]}}, "seq": 5}
    assert not has_binary([plain])
    assert has_binary([plain, {"audio": [{"wav": b"RIFF"}]}])


def test_a_packet_of_bytes_still_carries_them_as_an_attachment():
    pkt = HallPacket(data=["announcement", {"wav": b"RIFF"}])
    encoded = pkt.encode()
    assert isinstance(encoded, list) and encoded[1] == b"RIFF"
    event = ["ticket.called", {"seq": 1}]
    assert HallPacket(data=event).encode() == Packet(data=event).encode()
