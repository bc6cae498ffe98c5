"""The spoken call: 请A幺零七号到五号窗口, its audio, and the `announcement` event.

The event is built inside the calling transaction (it carries that change's `seq`); the audio is
only requested there, never synthesized: the speech worker process makes it while the event
travels, and the audio route waits a few hundred milliseconds for it if it must.

Each call has three sounds: its full announcement (`audio_url`: chime, the call `repeat` times,
the English line), and the two pieces a busy loudspeaker merges (`parts.once`, the call said once
and faster; `parts.more`, the same without 请, said after another call), plus the hall's chime.
The display chooses among them (server/speech/plan.py, docs/voice.md).
"""

from __future__ import annotations

from typing import Any

from server.core.hall import Hall, Voice, Window
from server.speech.api import Speech
from server.speech.settings import SynthSettings, template_more
from server.speech.text import announcement_text, announcement_text_en

AUDIO_PREFIX = "/audio/"


def spoken_pair(hall: Hall, number: str, window: Window) -> tuple[str, str | None]:
    """What the speech worker synthesizes: the Chinese call, and the English line if the hall wants it."""
    text_en = announcement_text_en(number, window.number, hall.voice)
    return announcement_text(number, window.number, hall.voice), text_en if hall.voice.english else None


def spoken_parts(hall: Hall, number: str, window: Window) -> tuple[str, str]:
    """The call as said first in a merged announcement, and as said after another one."""
    more = Voice(template=template_more(hall.voice))
    return announcement_text(number, window.number, hall.voice), announcement_text(number, window.number, more)


def spoken_texts(
    hall: Hall, speech: Speech, number: str, window: Window
) -> list[tuple[str, str | None, SynthSettings]]:
    """Every sound a call may need, for prewarming."""
    zh, en = spoken_pair(hall, number, window)
    once, more = spoken_parts(hall, number, window)
    part = speech.settings.part()
    return [(zh, en, speech.settings), (once, None, part), (more, None, part)]


def announcement(hall: Hall, speech: Speech, window: Window, view: dict[str, Any], *, recall: bool) -> dict[str, Any]:
    text, spoken_en = spoken_pair(hall, view["number"], window)
    text_en = announcement_text_en(view["number"], window.number, hall.voice)
    audio_id, _ready = speech.request(text, spoken_en)
    once, more = spoken_parts(hall, view["number"], window)
    part = speech.settings.part()
    return {
        "text": text,
        "text_en": text_en,
        "audio_url": _url(audio_id),
        "parts": {
            "chime": _url(speech.chime()),
            "once": _url(speech.request(once, None, part)[0]),
            "more": _url(speech.request(more, None, part)[0]),
        },
        "ticket": view["id"],
        "number": view["number"],
        "window": window.id,
        "window_number": window.number,
        "window_name": window.name,
        "called_at": view["called_at"],
        "recall": recall,
        "repeat": hall.voice.repeat,
    }


def _url(audio_id: str) -> str:
    return f"{AUDIO_PREFIX}{audio_id}.wav"
