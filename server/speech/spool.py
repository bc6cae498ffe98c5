"""The cache directory, which is also the queue between the server and the synthesis worker.

    <id>.wav                          the audio, written atomically; kept across restarts
    <id>.failed                       why the last attempt failed; cleared at start, so a restart retries
    spool/<p>-<ns>-<id>.job           a request (JSON); p is 0 for a live call, 1 for prewarm
    spool/<p>-<ns>-<id>.job.working-<pid>   the same, claimed by the worker with that pid

Files rather than a multiprocessing queue: the server runs under eventlet, where a thread that
blocks reading a pipe stalls every greenthread, whereas creating a file or checking that one
exists never blocks. Pending prewarm work also survives a restart, and several server processes
may share one cache, because a job is claimed by an atomic rename.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from server.speech.settings import SynthSettings

LIVE = 0
PREWARM = 1

_JOB = ".job"
_WORKING = ".working-"
_STALE_TMP_S = 600.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    audio_id: str
    text_zh: str
    text_en: str
    settings: SynthSettings

    def to_json(self) -> str:
        data = {"audio_id": self.audio_id, "text_zh": self.text_zh, "text_en": self.text_en}
        return json.dumps({**data, "settings": self.settings.to_json()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Job:
        data = json.loads(text)
        settings = SynthSettings.from_json(data.pop("settings"))
        return cls(settings=settings, **data)


@dataclass(frozen=True)
class Claim:
    path: Path
    pid: int
    age_s: float

    @property
    def audio_id(self) -> str:
        return self.path.name.split("-")[2].split(".")[0]


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.jobs = root / "spool"
        self.jobs.mkdir(parents=True, exist_ok=True)

    def wav_path(self, audio_id: str) -> Path:
        return self.root / f"{audio_id}.wav"

    def ready(self, audio_id: str) -> bool:
        return self.wav_path(audio_id).exists()

    def failure(self, audio_id: str) -> str | None:
        try:
            return self._failed_path(audio_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def fail(self, audio_id: str, reason: str) -> None:
        tmp = self.root / f".{audio_id}.failed.{os.getpid()}.tmp"
        tmp.write_text(reason, encoding="utf-8")
        os.replace(tmp, self._failed_path(audio_id))

    def clear_failure(self, audio_id: str) -> None:
        self._failed_path(audio_id).unlink(missing_ok=True)

    def clean(self) -> None:
        """At start-up: forget failures (so they are retried) and leftovers of killed writers."""
        now = time.time()
        for path in self.root.glob("*.failed"):
            path.unlink(missing_ok=True)
        for path in [*self.root.glob(".*.tmp"), *self.jobs.glob(".*.tmp")]:
            try:
                if now - path.stat().st_mtime > _STALE_TMP_S:
                    path.unlink()
            except FileNotFoundError:
                pass

    def enqueue(self, job: Job, priority: int) -> None:
        name = f"{priority}-{time.time_ns():020d}-{job.audio_id}{_JOB}"
        tmp = self.jobs / f".{name}.tmp"
        tmp.write_text(job.to_json(), encoding="utf-8")
        os.replace(tmp, self.jobs / name)

    def claim(self, pid: int) -> tuple[Path, Job] | None:
        """The most urgent waiting job, renamed so that no other worker takes it too."""
        for name in sorted(n for n in os.listdir(self.jobs) if n.endswith(_JOB) and n[0] != "."):
            claimed = self.jobs / f"{name}{_WORKING}{pid}"
            try:
                os.rename(self.jobs / name, claimed)
            except FileNotFoundError:
                continue  # another worker was faster
            try:
                # rename keeps the enqueue time; the watchdog needs the claim time.
                os.utime(claimed)
                return claimed, Job.from_json(claimed.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # recovered by a server that took this worker for dead
            except (ValueError, TypeError, KeyError) as exc:
                log.error("dropping unreadable speech job %s: %s", name, exc)
                claimed.unlink(missing_ok=True)
        return None

    def release(self, claimed: Path) -> None:
        claimed.unlink(missing_ok=True)

    def claims(self) -> list[Claim]:
        now = time.time()
        out = []
        for path in self.jobs.glob(f"*{_JOB}{_WORKING}*"):
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            out.append(Claim(path, int(path.name.rsplit(_WORKING, 1)[1]), age))
        return out

    def recover(self) -> list[str]:
        """Fail the jobs whose worker died holding them: retrying one that kills espeak-ng would
        kill every worker after it. Returns their audio ids."""
        lost = []
        for claim in self.claims():
            if _alive(claim.pid):
                continue
            self.fail(claim.audio_id, "the speech worker died or hung while synthesizing this call")
            self.release(claim.path)
            lost.append(claim.audio_id)
        return lost

    def pending(self) -> int:
        return sum(1 for n in os.listdir(self.jobs) if n.endswith(_JOB) and n[0] != ".")

    def _failed_path(self, audio_id: str) -> Path:
        return self.root / f"{audio_id}.failed"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
