"""SpeechService with its real worker process and espeak-ng."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.core.hall import Voice
from server.speech import SpeechService, announcement_text, announcement_text_en
from server.speech.settings import SynthSettings
from tests.speech.support import measure, needs_espeak

pytestmark = needs_espeak

VOICE = Voice(english=True)
# Generous bounds: they catch a hang, not a slow machine.
READY_S = 15.0


def _call(number: str, window: int = 5) -> tuple[str, str]:
    return announcement_text(number, window, VOICE), announcement_text_en(number, window, VOICE)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "speech"


@pytest.fixture
def service(cache: Path) -> Iterator[SpeechService]:
    with SpeechService(cache, VOICE) as svc:
        yield svc


def test_request_returns_at_once_and_the_worker_makes_the_file(service: SpeechService, capsys) -> None:
    started = time.perf_counter()
    aid, ready = service.request(*_call("A007"))
    returned = time.perf_counter() - started
    assert not ready
    assert returned < 0.5
    assert service.path_for(aid) is None
    assert service.wait_ready(aid, READY_S)
    cold = time.perf_counter() - started
    path = service.path_for(aid)
    assert path is not None
    seconds, level = measure(path)
    assert seconds > 1.0 and level > 0.03

    started = time.perf_counter()
    warm_id, _ = service.request(*_call("B120", 12))
    assert service.wait_ready(warm_id, READY_S)
    warm = time.perf_counter() - started

    started = time.perf_counter()
    again, ready = service.request(*_call("A007"))
    hit = time.perf_counter() - started
    assert (again, ready) == (aid, True)
    with capsys.disabled():
        print(
            f"\nspeech: request returned in {1000 * returned:.1f} ms; ready after "
            f"{1000 * cold:.0f} ms cold (worker starting), {1000 * warm:.0f} ms warm; "
            f"cache hit {1000 * hit:.2f} ms"
        )


def test_a_restart_reuses_the_cache(cache: Path) -> None:
    with SpeechService(cache, VOICE) as first:
        aid, _ = first.request(*_call("A007"))
        assert first.wait_ready(aid, READY_S)
        path = first.path_for(aid)
        assert path is not None
        mtime = path.stat().st_mtime_ns
    with SpeechService(cache, VOICE) as second:
        assert second.request(*_call("A007")) == (aid, True)
        assert second.path_for(aid) == path and path.stat().st_mtime_ns == mtime


def test_prewarm_survives_a_restart(cache: Path) -> None:
    calls = [_call(f"A{n:03d}", w) for n in range(1, 4) for w in (1, 2)]
    first = SpeechService(cache, VOICE)
    first.close()  # before its worker could take anything
    ids = first.prewarm(calls)
    with SpeechService(cache, VOICE) as second:
        assert all(second.wait_ready(i, READY_S) for i in ids)
        assert second.pending() == 0


def test_a_call_overtakes_prewarm(service: SpeechService) -> None:
    ids = service.prewarm(_call(f"C{n:03d}", 7) for n in range(1, 31))
    aid, _ = service.request(*_call("A001", 3))
    assert service.wait_ready(aid, READY_S)
    assert sum(service.path_for(i) is not None for i in ids) < len(ids)


def test_a_failure_is_reported_quickly_and_retried_on_the_next_call(cache: Path) -> None:
    settings = SynthSettings.from_voice(VOICE, zh_voice="no-such-voice")
    with SpeechService(cache, settings=settings) as svc:
        aid, _ = svc.request(*_call("A007"))
        started = time.monotonic()
        assert not svc.wait_ready(aid, READY_S)
        assert time.monotonic() - started < READY_S / 2
        assert "no-such-voice" in (svc.error(aid) or "")
        assert svc.path_for(aid) is None
        # The next call for the same words tries again instead of serving the old failure.
        assert svc.request(*_call("A007")) == (aid, False)
        assert svc.error(aid) is None


def test_a_killed_worker_is_replaced(service: SpeechService) -> None:
    aid, _ = service.request(*_call("A007"))
    assert service.wait_ready(aid, READY_S)
    pid = service.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    aid, _ = service.request(*_call("A008"))
    assert service.wait_ready(aid, READY_S)
    assert service.worker_pid not in (None, pid)


def test_a_hung_worker_is_killed_and_its_call_failed(cache: Path) -> None:
    with SpeechService(cache, VOICE, synth_timeout_s=1.0) as svc:
        warm, _ = svc.request(*_call("A007"))
        assert svc.wait_ready(warm, READY_S)
        pid = svc.worker_pid
        # As if the worker had claimed this job a minute ago and never finished it.
        stuck = svc._spool.jobs / f"0-{time.time_ns():020d}-{'f' * 32}.job.working-{pid}"
        stuck.write_text("{}", encoding="utf-8")
        old = time.time() - 60
        os.utime(stuck, (old, old))
        assert not svc.wait_ready("f" * 32, READY_S)
        assert "died or hung" in (svc.error("f" * 32) or "")
        aid, _ = svc.request(*_call("A009"))
        assert svc.wait_ready(aid, READY_S)
        assert svc.worker_pid != pid


def test_ids_from_a_url_cannot_escape_the_cache(service: SpeechService) -> None:
    for bad in ("../../etc/passwd", "spool", "", "F" * 32):
        assert service.path_for(bad) is None
        assert not service.wait_ready(bad, 0.05)
    assert service.path_for("0" * 32) is None


def test_close_stops_the_worker(cache: Path) -> None:
    svc = SpeechService(cache, VOICE)
    pid = svc.worker_pid
    assert pid is not None
    svc.close()
    assert svc.worker_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


_UNDER_EVENTLET = """
import eventlet
eventlet.monkey_patch()
import sys, time
from server.core.hall import Voice
from server.speech import SpeechService, announcement_text

ticks = []
def ticker():
    while True:
        ticks.append(time.monotonic())
        eventlet.sleep(0.005)

eventlet.spawn(ticker)
with SpeechService(sys.argv[1], Voice()) as svc:
    aid, _ = svc.request(announcement_text("A007", 5, Voice()))
    ready = svc.wait_ready(aid, 15)
print(ready, len(ticks))
"""


@pytest.mark.skipif(importlib.util.find_spec("eventlet") is None, reason="eventlet is not installed")
def test_waiting_under_eventlet_lets_other_greenthreads_run(cache: Path) -> None:
    """The server's default mode: wait_ready must sleep greenly, not block the hub."""
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _UNDER_EVENTLET, str(cache)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 0, out.stderr
    ready, ticks = out.stdout.split()
    assert ready == "True"
    assert int(ticks) > 5  # the ticker ran while the call waited for its audio


def test_the_chime_and_a_merged_piece_are_served_from_the_cache(service: SpeechService) -> None:
    chime_id = service.chime()
    path = service.path_for(chime_id)
    assert path is not None and service.chime() == chime_id  # made once, in the server process
    seconds, level = measure(path)
    assert 0.6 < seconds < 1.0 and level > 0.05
    # A piece of a merged announcement: another sound of the same words, faster and without chime.
    zh, en = _call("A107", 12)
    full, _ = service.request(zh, en)
    piece, _ = service.request(zh, None, service.settings.part())
    assert piece != full
    assert service.wait_ready(full, READY_S) and service.wait_ready(piece, READY_S)
    assert measure(service.path_for(piece))[0] < measure(service.path_for(full))[0] - 1.0
