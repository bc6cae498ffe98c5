"""What the rest of the server may rely on: `SpeechService` and `FakeSpeech` both provide it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from server.speech.settings import SynthSettings

# What prewarm takes: the words, and the settings when not the service's own (a merged piece).
Texts = Iterable[tuple[str, str | None] | tuple[str, str | None, SynthSettings]]


class Speech(Protocol):
    settings: SynthSettings

    def request(
        self, text_zh: str, text_en: str | None = None, settings: SynthSettings | None = None
    ) -> tuple[str, bool]:
        """(audio id, ready now); never waits for synthesis. `settings`: other than the service's."""
        ...

    def chime(self) -> str:
        """The audio id of the chime alone, ready at once."""
        ...

    def prewarm(self, texts: Texts) -> list[str]:
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
