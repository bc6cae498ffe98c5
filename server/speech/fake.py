"""`FakeSpeech`: the `Speech` interface without a process or espeak-ng, for tests of other layers.

Every request is "synthesized" on the spot as a tenth of a second of silence in a valid WAV,
under the same audio id the real service would use, so URLs built from it look real.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from server.core.hall import Voice
from server.speech.api import Texts
from server.speech.audio import silence, write_wav_atomically
from server.speech.settings import HallVoice, SynthSettings, audio_id, chime_id, is_audio_id

RATE = 22050


class FakeSpeech:
    def __init__(self, cache_dir: Path | str | None = None, voice: Voice | None = None, *, fail: bool = False) -> None:
        """`fail=True` makes every request fail, to test how a caller copes."""
        self._own_dir = cache_dir is None
        self.root = Path(tempfile.mkdtemp(prefix="hallq-fake-speech-") if cache_dir is None else cache_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self.settings = SynthSettings.from_voice(voice or HallVoice())
        self.fail = fail
        self.requests: list[tuple[str, str | None]] = []
        self.prewarmed: list[tuple[str, str | None]] = []

    def request(
        self, text_zh: str, text_en: str | None = None, settings: SynthSettings | None = None
    ) -> tuple[str, bool]:
        self.requests.append((text_zh, text_en))
        return self._make(text_zh, text_en, settings)

    def chime(self) -> str:
        aid = chime_id(self.settings)
        path = self.root / f"{aid}.wav"
        if not path.exists():
            write_wav_atomically(path, RATE, silence(RATE, 0.1))
        return aid

    def prewarm(self, texts: Texts) -> list[str]:
        ids = []
        for item in texts:
            self.prewarmed.append((item[0], item[1]))
            ids.append(self._make(item[0], item[1], item[2] if len(item) > 2 else None)[0])
        return ids

    def path_for(self, audio_id: str) -> Path | None:
        if not is_audio_id(audio_id):
            return None
        path = self.root / f"{audio_id}.wav"
        return path if path.exists() else None

    def wait_ready(self, audio_id: str, timeout: float) -> bool:
        return self.path_for(audio_id) is not None

    def error(self, audio_id: str) -> str | None:
        return "FakeSpeech(fail=True)" if self.fail and is_audio_id(audio_id) else None

    def close(self) -> None:
        if self._own_dir:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> FakeSpeech:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _make(self, text_zh: str, text_en: str | None, settings: SynthSettings | None = None) -> tuple[str, bool]:
        if not text_zh.strip():
            raise ValueError("an announcement needs Chinese text")
        aid = audio_id(text_zh, text_en, settings or self.settings)
        if self.fail:
            return aid, False
        path = self.root / f"{aid}.wav"
        if not path.exists():
            write_wav_atomically(path, RATE, silence(RATE, 0.1))
        return aid, True
