"""The spoken call: 请A幺零七号到五号窗口办理, its audio, and the `announcement` event.

The event is built inside the calling transaction (it carries that change's `seq`); the audio is
only requested there, never synthesized: the speech worker process makes it while the event
travels, and the audio route waits a few hundred milliseconds for it if it must.
"""

from __future__ import annotations

from typing import Any

from server.core.hall import Hall, Window
from server.speech.api import Speech
from server.speech.text import announcement_text, announcement_text_en

AUDIO_PREFIX = "/audio/"


def spoken_pair(hall: Hall, number: str, window: Window) -> tuple[str, str | None]:
    """What the speech worker synthesizes: the Chinese call, and the English line if the hall wants it."""
    text_en = announcement_text_en(number, window.number, hall.voice)
    return announcement_text(number, window.number, hall.voice), text_en if hall.voice.english else None


def announcement(hall: Hall, speech: Speech, window: Window, view: dict[str, Any], *, recall: bool) -> dict[str, Any]:
    text, spoken_en = spoken_pair(hall, view["number"], window)
    text_en = announcement_text_en(view["number"], window.number, hall.voice)
    audio_id, _ready = speech.request(text, spoken_en)
    return {
        "text": text,
        "text_en": text_en,
        "audio_url": f"{AUDIO_PREFIX}{audio_id}.wav",
        "ticket": view["id"],
        "number": view["number"],
        "window": window.id,
        "window_number": window.number,
        "window_name": window.name,
        "called_at": view["called_at"],
        "recall": recall,
        "repeat": hall.voice.repeat,
    }
