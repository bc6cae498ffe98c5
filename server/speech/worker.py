"""`SpeechService`: the server's side of the synthesis worker.

Synthesis runs in a child process (`server.speech.child`) so that libespeak-ng, its global
state and any crash of it stay out of the server, and so that eventlet's single thread never
waits on it. The two sides talk only through the cache directory (see `spool`): nothing here
blocks longer than a file operation, except `wait_ready`, which polls with sleeps (green under
eventlet) for at most the timeout it is given.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from server.core.hall import Voice
from server.speech.api import Texts
from server.speech.audio import chime, silence, write_wav_atomically
from server.speech.settings import HallVoice, SynthSettings, audio_id, chime_id, is_audio_id, spoken_en
from server.speech.spool import LIVE, PREWARM, Job, Spool

POLL_S = 0.01
# espeak-ng's sample rate: the chime, written here, must match the speech written by the worker.
ESPEAK_RATE = 22050
PREWARM_YIELD_EVERY = 20
# A worker that dies at once (broken install) is restarted at most this often.
RESTART_BACKOFF_S = 1.0
WATCHDOG_EVERY_S = 1.0
_PROJECT_ROOT = Path(__file__).resolve().parents[2]

log = logging.getLogger(__name__)


class SpeechService:
    """Announcement audio, synthesized by a worker process into `cache_dir`.

    Starting costs one Python process (about 30 MB); it is ready for work after about a quarter
    of a second, while the constructor returns at once. Thread- and greenthread-safe.
    """

    def __init__(
        self,
        cache_dir: Path | str,
        voice: Voice | None = None,
        *,
        settings: SynthSettings | None = None,
        synth_timeout_s: float = 20.0,
    ) -> None:
        self.settings = settings or SynthSettings.from_voice(voice or HallVoice())
        self._spool = Spool(Path(cache_dir))
        self._spool.clean()
        self._synth_timeout_s = synth_timeout_s
        self._queued: dict[str, int] = {}
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0
        self._watched_at = 0.0
        self._closed = False
        with self._lock:
            self._start_worker()

    def request(
        self, text_zh: str, text_en: str | None = None, settings: SynthSettings | None = None
    ) -> tuple[str, bool]:
        return self._submit(text_zh, text_en, LIVE, settings or self.settings)

    def chime(self) -> str:
        aid = chime_id(self.settings)
        if not self._spool.ready(aid):
            # Milliseconds of arithmetic, no espeak-ng: made here rather than queued.
            pcm = chime(ESPEAK_RATE, self.settings.chime) + silence(ESPEAK_RATE, self.settings.lead_s)
            write_wav_atomically(self._spool.wav_path(aid), ESPEAK_RATE, pcm)
        return aid

    def prewarm(self, texts: Texts) -> list[str]:
        ids = []
        for i, item in enumerate(texts, 1):
            settings = item[2] if len(item) > 2 else self.settings
            ids.append(self._submit(item[0], item[1], PREWARM, settings)[0])
            if i % PREWARM_YIELD_EVERY == 0:
                # A day's prewarm is thousands of files: let other greenthreads (eventlet) or
                # threads run between batches instead of stalling every display.
                time.sleep(0)
        return ids

    def path_for(self, audio_id: str) -> Path | None:
        if not is_audio_id(audio_id):
            return None
        path = self._spool.wav_path(audio_id)
        return path if path.exists() else None

    def wait_ready(self, audio_id: str, timeout: float) -> bool:
        if not is_audio_id(audio_id):
            return False
        deadline = time.monotonic() + timeout
        while True:
            if self._spool.ready(audio_id):
                return True
            if self._spool.failure(audio_id) is not None:
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._supervise()
            time.sleep(min(POLL_S, remaining))

    def error(self, audio_id: str) -> str | None:
        return self._spool.failure(audio_id) if is_audio_id(audio_id) else None

    def pending(self) -> int:
        """Jobs waiting for the worker (for a health page)."""
        return self._spool.pending()

    @property
    def worker_pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def close(self) -> None:
        """Stop the worker. Waiting jobs stay in the spool for the next start."""
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc, grace_s=3.0)

    def __enter__(self) -> SpeechService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _submit(self, text_zh: str, text_en: str | None, priority: int, settings: SynthSettings) -> tuple[str, bool]:
        if not text_zh.strip():
            raise ValueError("an announcement needs Chinese text")
        aid = audio_id(text_zh, text_en, settings)
        if self._spool.ready(aid):
            return aid, True
        if self._spool.failure(aid) is not None:
            # A new call for a failed text is a retry: the cause may have been transient.
            self._spool.clear_failure(aid)
            self._queued.pop(aid, None)
        if self._queued.get(aid, PREWARM + 1) > priority:
            job = Job(aid, text_zh.strip(), spoken_en(text_en, settings), settings)
            self._spool.enqueue(job, priority)
            self._queued[aid] = priority
        self._supervise()
        return aid, False

    def _supervise(self) -> None:
        """Restart a dead worker and kill a hung one; cheap enough to call on every poll."""
        with self._lock:
            if self._closed:
                return
            proc = self._proc
            if proc is not None and proc.poll() is None and not self._hung(proc):
                return
            if proc is not None:
                log.error("speech worker %s stopped (exit code %s)", proc.pid, proc.returncode)
                _stop(proc, grace_s=0)
                self._proc = None
                for aid in self._spool.recover():
                    log.error("speech for %s abandoned: the worker died on it", aid)
            if time.monotonic() - self._started_at >= RESTART_BACKOFF_S:
                self._start_worker()

    def _hung(self, proc: subprocess.Popen[bytes]) -> bool:
        now = time.monotonic()
        if now - self._watched_at < WATCHDOG_EVERY_S:
            return False
        self._watched_at = now
        for claim in self._spool.claims():
            if claim.pid == proc.pid and claim.age_s > self._synth_timeout_s:
                log.error("speech worker %s stuck %.0f s on one call: killing it", proc.pid, claim.age_s)
                return True
        return False

    def _start_worker(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, "-m", "server.speech.child", str(self._spool.root), self.settings.zh_voice]
        self._started_at = time.monotonic()
        # stdin is never written: its end of file tells the worker the server is gone.
        # stdout is pyttsx3's chatter; stderr (the worker's log) goes wherever the server's goes.
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
        log.info("speech worker %s started", self._proc.pid)


def _stop(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    if grace_s > 0:
        try:
            proc.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.kill()
    proc.wait()
