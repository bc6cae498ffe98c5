"""A network ESC/POS printer on 127.0.0.1 for tests: it records what it would print and
answers DLE EOT 1/4 status queries according to its state.

    with FakePrinter() as printer:          # ephemeral port, running
        send(printer.url, data)
        printer.wait_for_data(len(data))
        printer.state = FakeState.PAPER_OUT
        printer.stop(); printer.start()     # power cycle: same port

One selector thread serves every connection; no sleeps, so tests stay fast.
"""

from __future__ import annotations

import selectors
import socket
import threading
from enum import StrEnum
from typing import cast

DLE_EOT = b"\x10\x04"


class FakeState(StrEnum):
    ONLINE = "online"
    SILENT = "silent"  # takes data, never answers a status query
    OFFLINE = "offline"  # answers "offline" (cover open, error)
    PAPER_OUT = "paper_out"
    PAPER_NEAR_END = "paper_near_end"


# (DLE EOT 1 answer, DLE EOT 4 answer); bits 1 and 4 are always set (0x12).
STATUS_BYTES: dict[FakeState, tuple[int, int]] = {
    FakeState.ONLINE: (0x12, 0x12),
    FakeState.OFFLINE: (0x1A, 0x12),
    FakeState.PAPER_OUT: (0x1A, 0x72),  # the printer goes offline when the paper ends
    FakeState.PAPER_NEAR_END: (0x12, 0x1E),
}


class FakePrinter:
    def __init__(self, state: FakeState = FakeState.ONLINE, port: int = 0) -> None:
        self.state = state
        # State to switch to when print data arrives: the paper runs out or the power goes
        # mid-job, after the printer took the bytes.
        self.after_data: FakeState | None = None
        self.port = port
        self.queries: list[int] = []
        self.connections = 0
        self._received = bytearray()
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def received(self) -> bytes:
        with self._changed:
            return bytes(self._received)

    def clear(self) -> None:
        with self._changed:
            self._received.clear()

    def start(self) -> FakePrinter:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"fake printer {self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Power off: the port closes and open connections drop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def wait_for_data(self, n: int, timeout: float = 5.0) -> bytes:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._received) >= n, timeout):
                raise TimeoutError(f"fake printer got {len(self._received)} of {n} bytes")
            return bytes(self._received)

    def wait_for_queries(self, n: int, timeout: float = 5.0) -> list[int]:
        """Wait until n status queries arrived."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.queries) >= n, timeout):
                raise TimeoutError(f"fake printer got {len(self.queries)} of {n} queries")
            return list(self.queries)

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        assert self._listener is not None
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        pending: dict[socket.socket, bytes] = {}
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(0.01):
                    sock = cast(socket.socket, key.fileobj)
                    if sock is self._listener:
                        conn, _ = sock.accept()
                        conn.setblocking(False)
                        selector.register(conn, selectors.EVENT_READ)
                        pending[conn] = b""
                        self.connections += 1
                        continue
                    try:
                        chunk = sock.recv(65536)
                    except ConnectionError:
                        chunk = b""
                    if not chunk:
                        selector.unregister(sock)
                        sock.close()
                        self._record(pending.pop(sock, b""))
                        continue
                    pending[sock] = self._feed(sock, pending[sock] + chunk)
        finally:
            for sock in list(pending):
                selector.unregister(sock)
                sock.close()
            selector.close()
            self._listener.close()
            self._listener = None

    def _feed(self, sock: socket.socket, data: bytes) -> bytes:
        """Take print data and answer status queries anywhere in it, as a real printer does
        (real-time commands). Returns an incomplete query tail to keep for the next chunk."""
        printed = bytearray()
        i = 0
        while True:
            at = data.find(DLE_EOT, i)
            if at < 0:
                # A final DLE may be the start of a query split across two chunks.
                end = max(i, len(data) - 1) if data.endswith(DLE_EOT[:1]) else len(data)
                printed += data[i:end]
                rest = data[end:]
                break
            printed += data[i:at]
            if at + 2 >= len(data):
                rest = data[at:]
                break
            self._answer(sock, data[at + 2])
            i = at + 3
        self._record(bytes(printed))
        return rest

    def _record(self, printed: bytes) -> None:
        if not printed:
            return
        with self._changed:
            self._received += printed
            if self.after_data is not None:
                self.state, self.after_data = self.after_data, None
            self._changed.notify_all()

    def _answer(self, sock: socket.socket, n: int) -> None:
        # Counted before answering: a client that has the answer sees the query counted.
        with self._changed:
            self.queries.append(n)
            self._changed.notify_all()
        if self.state is FakeState.SILENT:
            return
        printer, paper = STATUS_BYTES[self.state]
        answer = {1: printer, 4: paper}.get(n)
        if answer is not None:
            sock.sendall(bytes((answer,)))
