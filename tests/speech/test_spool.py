"""The file queue between the server and the worker, without a worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from server.speech.settings import SynthSettings, audio_id, is_audio_id
from server.speech.spool import LIVE, PREWARM, Job, Spool

SETTINGS = SynthSettings()


def _job(text: str) -> Job:
    return Job(audio_id(text, None, SETTINGS), text, "", SETTINGS)


def test_calls_are_claimed_before_prewarm_and_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    for text in ("预1", "预2"):
        spool.enqueue(_job(text), PREWARM)
    spool.enqueue(_job("呼1"), LIVE)
    spool.enqueue(_job("呼2"), LIVE)
    order = []
    while (claimed := spool.claim(os.getpid())) is not None:
        path, job = claimed
        order.append(job.text_zh)
        spool.release(path)
    assert order == ["呼1", "呼2", "预1", "预2"]
    assert spool.pending() == 0


def test_a_job_is_claimed_once(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.enqueue(_job("请"), LIVE)
    assert spool.claim(1) is not None
    assert spool.claim(2) is None


def test_a_job_held_by_a_dead_worker_fails_instead_of_looping(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    job = _job("请")
    spool.enqueue(job, LIVE)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    spool.claim(dead.pid)
    assert spool.recover() == [job.audio_id]
    assert "died" in (spool.failure(job.audio_id) or "")
    assert spool.claims() == []


def test_a_job_held_by_a_live_worker_is_left_alone(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.enqueue(_job("请"), LIVE)
    spool.claim(os.getpid())
    assert spool.recover() == []
    assert len(spool.claims()) == 1


def test_unreadable_jobs_are_dropped(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    (spool.jobs / "0-00000000000000000001-deadbeef.job").write_text("{not json", encoding="utf-8")
    spool.enqueue(_job("请"), PREWARM)
    claimed = spool.claim(1)
    assert claimed is not None and claimed[1].text_zh == "请"
    assert spool.pending() == 0


def test_start_up_forgets_failures(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.fail("0" * 32, "espeak-ng missing")
    assert spool.failure("0" * 32) == "espeak-ng missing"
    spool.clean()
    assert spool.failure("0" * 32) is None


def test_the_key_depends_on_words_and_settings_only() -> None:
    zh, en = "请A零零幺号到五号窗口办理", "Number A0 0 1, please go to window 5."
    key = audio_id(zh, en, SETTINGS)
    assert is_audio_id(key)
    assert audio_id(zh, en, SynthSettings()) == key
    # English off: the English words do not change the sound.
    assert audio_id(zh, "anything", SETTINGS) == key
    assert audio_id(zh, en, SynthSettings(english=True)) != key
    assert audio_id(zh, None, SynthSettings(repeat=3)) != key
    assert audio_id(zh, None, SynthSettings(rate=150)) != key


def test_ids_from_outside_are_checked() -> None:
    assert not is_audio_id("../../etc/passwd")
    assert not is_audio_id("A" * 32)
    assert not is_audio_id("0" * 31)
