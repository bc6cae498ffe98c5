"""What the rest of the server may rely on: `SpeechService` and `FakeSpeech` both provide it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol


class Speech(Protocol):
    def request(self, text_zh: str, text_en: str | None = None) -> tuple[str, bool]:
        """(audio id, ready now); never waits for synthesis."""
        ...

    def prewarm(self, texts: Iterable[tuple[str, str | None]]) -> list[str]:
        """Synthesize ahead of time, behind every call; returns the audio ids."""
        ...

    def path_for(self, audio_id: str) -> Path | None:
        """The WAV file once ready; None for unknown, pending, failed or malformed ids."""
        ...

    def wait_ready(self, audio_id: str, timeout: float) -> bool:
        """Wait up to `timeout` seconds; False at once if synthesis failed."""
        ...

    def error(self, audio_id: str) -> str | None:
        """Why the last synthesis of this id failed, if it did."""
        ...

    def close(self) -> None: ...
