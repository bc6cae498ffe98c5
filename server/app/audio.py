"""Announcement audio from the speech cache, for the displays that play the calls."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from server.speech.settings import is_audio_id

from .context import Services

Missing = Literal["", "off", "unknown", "pending", "failed"]


@dataclass(frozen=True)
class Audio:
    """The WAV file, or why there is none: this server does not speak (`off`), no announcement has
    that id (`unknown`), it is not synthesized yet (`pending`) or its synthesis `failed` (`why`)."""

    path: Path | None = None
    missing: Missing = ""
    why: str = ""


def find_audio(svc: Services, audio_id: str, wait_s: float) -> Audio:
    """The call event usually reaches a display before synthesis ends (10-40 ms): wait up to
    `wait_s` for it rather than fail."""
    speech = svc.speech
    if speech is None:
        return Audio(missing="off")
    if not is_audio_id(audio_id):
        return Audio(missing="unknown")
    if not speech.wait_ready(audio_id, wait_s):
        why = speech.error(audio_id)
        return Audio(missing="failed", why=why) if why else Audio(missing="pending")
    path = speech.path_for(audio_id)
    return Audio(path=path) if path is not None else Audio(missing="unknown")
