"""The synthesis worker process: `python -m server.speech.child CACHE_DIR [ZH_VOICE]`.

Started by `SpeechService`; it takes jobs from the spool (calls before prewarm), writes the
audio into the cache, and records a failure instead of dying. It exits when its standard input
reaches end of file, i.e. when the server closes it or dies, so it never outlives the server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from server.speech.settings import ZH_VOICE
from server.speech.spool import Job, Spool

if TYPE_CHECKING:
    # Imported for real inside the worker only: it loads libespeak-ng.
    from server.speech.synth import Synthesizer

# How long an idle worker waits before looking at the spool again: the latency a cold call adds.
IDLE_POLL_S = 0.02

log = logging.getLogger("server.speech.worker")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s hallq speech worker[%(process)d] %(levelname)s %(message)s",
    )
    spool = Spool(Path(args[0]))
    for audio_id in spool.recover():
        log.error("gave up on %s: a previous worker died while synthesizing it", audio_id)
    # Prewarm can keep a core busy for minutes; the server's requests come first.
    with contextlib.suppress(OSError):
        os.nice(5)
    synth, broken = _start_synthesizer(args[1] if len(args) > 1 else ZH_VOICE)
    pid = os.getpid()
    while True:
        claimed = spool.claim(pid)
        if claimed is None:
            if _server_gone(IDLE_POLL_S):
                return 0
            continue
        path, job = claimed
        try:
            _run(spool, synth, broken, job)
        finally:
            spool.release(path)
        if _server_gone(0):
            return 0


def _start_synthesizer(zh_voice: str) -> tuple[Synthesizer | None, str]:
    """The synthesizer, or None and why not: a broken install must fail calls, not hang them."""
    started = time.monotonic()
    try:
        from server.speech.synth import Synthesizer

        synth = Synthesizer()
    except Exception as exc:
        reason = f"speech synthesis unavailable: {type(exc).__name__}: {exc}"
        log.error("%s", reason)
        return None, reason
    try:
        with tempfile.TemporaryDirectory(prefix="hallq-speech-") as tmp:
            synth.speak("请", zh_voice, Path(tmp) / "probe.wav")
    except Exception as exc:
        # Said once at start for the operator; each call then fails with the precise reason.
        log.error("the Mandarin voice does not work: %s: %s", type(exc).__name__, exc)
        return synth, ""
    log.info("ready with voice %s in %.0f ms", zh_voice, 1000 * (time.monotonic() - started))
    return synth, ""


def _run(spool: Spool, synth: Synthesizer | None, broken: str, job: Job) -> None:
    if spool.ready(job.audio_id):
        return  # asked twice (prewarm, then a call) and done the first time
    if synth is None:
        spool.fail(job.audio_id, broken)
        return
    started = time.monotonic()
    try:
        seconds = synth.announcement(job.text_zh, job.text_en or None, job.settings, spool.wav_path(job.audio_id))
    except Exception as exc:
        log.exception("could not synthesize %r", job.text_zh)
        spool.fail(job.audio_id, f"{type(exc).__name__}: {exc}")
        return
    log.debug("%s: %.1f s of audio in %.0f ms", job.audio_id, seconds, 1000 * (time.monotonic() - started))


def _server_gone(timeout: float) -> bool:
    """Wait up to `timeout` for end of file on stdin, the server's only message to us."""
    try:
        readable, _, _ = select.select([sys.stdin], [], [], timeout)
        return bool(readable) and os.read(sys.stdin.fileno(), 4096) == b""
    except (OSError, ValueError):
        return True


if __name__ == "__main__":
    sys.exit(main())
