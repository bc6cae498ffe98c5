"""What the real server answers to requests it cannot take, over raw sockets, under eventlet and
threading alike: the JSON error (never eventlet's empty answers or the standard library's HTML),
and a request sent too slowly is answered 408 and let go instead of holding its connection."""

from __future__ import annotations

import json
import socket
import time

import pytest

pytestmark = pytest.mark.slow

# Short clocks, so each slow client is let go within a second or two.
LIMITS = {"HALLQ_HEADER_TIMEOUT_S": "1", "HALLQ_BODY_TIMEOUT_S": "1", "HALLQ_IDLE_TIMEOUT_S": "2"}


@pytest.fixture(scope="module", params=["eventlet", "threading"])
def server(request, tmp_path_factory):
    from tests.support.server_process import ServerProcess

    s = ServerProcess(tmp_path_factory.mktemp(request.param), async_mode=request.param, env=LIMITS)
    s.start(timeout=60)
    yield s
    s.stop()
    s.kill()


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def read_all(sock: socket.socket, limit_s: float = 20) -> bytes:
    """Everything the server sends until it closes the connection (or `limit_s` passes)."""
    sock.settimeout(limit_s)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pytest.fail(f"the server kept the connection open; got {data[:300]!r}")
    except ConnectionResetError:
        pass
    return data


def json_answer(raw: bytes) -> tuple[int, dict[str, str], dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), raw[:300]
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers.get("content-type", "").startswith("application/json"), raw[:300]
    err = json.loads(body)["error"]
    assert err["code"] and err["message"]
    return status, headers, err


def exchange(server, request: bytes) -> tuple[int, dict[str, str], dict]:
    with connect(server) as sock:
        sock.sendall(request)
        return json_answer(read_all(sock))


def test_a_garbage_request_line_is_a_json_400(server):
    status, _, err = exchange(server, b"GARBAGE\r\n\r\n")
    assert status == 400 and err["code"] == "bad_request"
    status, _, _ = exchange(server, b"GET / HTTP/9.9\r\n\r\n")
    assert status in (400, 505)
    status, _, err = exchange(server, b"GET /" + b"\x1b" * 100 + b" HTTPX\r\n\r\n")
    assert status == 400 and "\x1b" not in err["message"] and len(err["message"]) < 300


def test_a_request_line_too_long_is_a_json_414(server):
    status, _, err = exchange(server, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414, err


def test_oversized_headers_are_a_json_431(server):
    one_long = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n"
    assert exchange(server, one_long)[0] == 431
    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"c" * 1000) for i in range(150))
    assert exchange(server, many + b"\r\n")[0] == 431


def test_a_bad_content_length_is_a_json_400(server):
    status, _, err = exchange(server, b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
    assert status == 400 and "Content-Length" in err["message"]


def test_headers_sent_too_slowly_are_a_408_and_the_connection_is_let_go(server):
    with connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        sock.settimeout(0.2)
        for i in range(100):  # a header line every 0.2 s for up to 20 s: each read is quick, the whole is not
            try:
                sock.sendall(b"X-Slow-%d: y\r\n" % i)
                answer += sock.recv(65536)
                break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        answer += read_all(sock)
        took = time.monotonic() - started
    status, headers, err = json_answer(answer)
    assert status == 408 and err["code"] == "request_timeout", err
    assert headers["connection"] == "close"
    assert 0.8 < took < 8, took  # the 1 s clock, with room for a loaded machine


def test_a_body_sent_too_slowly_is_a_408(server):
    with connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 200\r\n\r\n{\"username\": ")
        sock.settimeout(0.25)
        answer = b""
        for _ in range(80):  # a byte every 0.25 s for up to 20 s
            try:
                sock.sendall(b" ")
                answer += sock.recv(65536)
                break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        answer += read_all(sock)
        took = time.monotonic() - started
    status, _, err = json_answer(answer)
    assert status == 408, err
    assert took < 8, took


def test_an_idle_connection_is_closed_without_an_answer(server):
    with connect(server) as sock:
        started = time.monotonic()
        assert read_all(sock) == b""
        assert 1.5 < time.monotonic() - started < 8


def read_response(sock: socket.socket) -> tuple[int, dict[str, str]]:
    """One whole response, by its Content-Length."""
    sock.settimeout(10)
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = sock.recv(65536)
        assert chunk, f"closed before an answer: {got[:200]!r}"
        got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "closed within the body"
        body += chunk
    return int(lines[0].split()[1]), headers


def test_requests_in_time_are_served_on_a_kept_connection(server):
    """eventlet keeps the connection; Werkzeug answers every request with Connection: close."""
    requests = [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"] * 2 + [
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 35\r\n\r\n" + b'{"username": "x", "password": "y"}\n'
    ]
    sock = connect(server)
    try:
        statuses = []
        for request in requests:
            sock.sendall(request)
            status, headers = read_response(sock)
            statuses.append(status)
            if headers.get("connection") == "close":
                sock.close()
                sock = connect(server)
            elif server.async_mode == "eventlet":
                time.sleep(1.2)  # longer than the header clock: the idle wait between requests is not on it
    finally:
        sock.close()
    assert statuses == [200, 200, 401]
