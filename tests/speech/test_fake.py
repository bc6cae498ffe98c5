"""FakeSpeech keeps the contract other layers' tests rely on."""

from __future__ import annotations

from pathlib import Path

from server.core.hall import Voice
from server.speech import FakeSpeech, Speech
from server.speech.settings import SynthSettings, audio_id
from tests.speech.support import measure


def test_requests_are_ready_at_once_as_valid_wavs(tmp_path: Path) -> None:
    speech: Speech = FakeSpeech(tmp_path)
    aid, ready = speech.request("请A零零幺号到五号窗口办理", "Number A0 0 1, please go to window 5.")
    assert ready and speech.wait_ready(aid, 0)
    path = speech.path_for(aid)
    assert path is not None and measure(path) == (0.1, 0.0)
    assert aid == audio_id("请A零零幺号到五号窗口办理", None, SynthSettings())


def test_it_records_what_was_asked() -> None:
    with FakeSpeech(voice=Voice(english=True)) as speech:
        speech.request("请", "Please")
        ids = speech.prewarm([("甲", None), ("乙", "B")])
        assert speech.requests == [("请", "Please")]
        assert speech.prewarmed == [("甲", None), ("乙", "B")]
        assert all(speech.path_for(i) for i in ids)
        root = speech.root
    assert not root.exists()


def test_failing_mode(tmp_path: Path) -> None:
    speech = FakeSpeech(tmp_path, fail=True)
    aid, ready = speech.request("请")
    assert not ready
    assert not speech.wait_ready(aid, 1)
    assert speech.path_for(aid) is None
    assert speech.error(aid)
    assert speech.path_for("../secret") is None
