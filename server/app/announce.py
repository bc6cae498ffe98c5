"""The spoken call: 请A幺零七号到五号窗口, its audio, and the `announcement` event.

The event is built inside the calling transaction (it carries that change's `seq`), naming its
audio by the hash of its words; the audio is requested once the call has committed (a call that
rolls back is never spoken), and the speech worker process makes it while the event travels: the
audio route waits a few hundred milliseconds for it if it must.

Each call has three sounds: its full announcement (`audio_url`: chime, the call `repeat` times,
the English line), and the two pieces a busy loudspeaker merges (`parts.once`, the call said once
and faster; `parts.more`, the same without 请, said after another call), plus the hall's chime.
The display chooses among them (server/speech/plan.py, docs/voice.md).
"""

from __future__ import annotations

from typing import Any

from server.core.hall import Hall, Voice, Window
from server.speech.api import Speech
from server.speech.settings import SynthSettings, audio_id, chime_id, template_more
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


# What a call asks the speech worker for: the words, and the settings they are said with.
Sounds = list[tuple[str, str | None, SynthSettings]]


def spoken_texts(hall: Hall, speech: Speech, number: str, window: Window) -> Sounds:
    """Every sound a call may need: its full announcement, then the two merged pieces."""
    zh, en = spoken_pair(hall, number, window)
    once, more = spoken_parts(hall, number, window)
    part = speech.settings.part()
    return [(zh, en, speech.settings), (once, None, part), (more, None, part)]


def announcement(
    hall: Hall, speech: Speech, window: Window, view: dict[str, Any], *, recall: bool
) -> tuple[dict[str, Any], Sounds]:
    """The `announcement` event, and the sounds to request for it once the call has committed."""
    said = spoken_texts(hall, speech, view["number"], window)
    event = {
        "text": said[0][0],
        "text_en": announcement_text_en(view["number"], window.number, hall.voice),
        "audio_url": _url(audio_id(*said[0])),
        "parts": {
            "chime": _url(chime_id(speech.settings)),
            "once": _url(audio_id(*said[1])),
            "more": _url(audio_id(*said[2])),
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
    return event, said


def request_audio(speech: Speech, said: Sounds) -> None:
    """After the commit: have the worker make a call's sounds, and the chime ready."""
    for zh, en, settings in said:
        speech.request(zh, en, settings)
    speech.chime()


def _url(aid: str) -> str:
    return f"{AUDIO_PREFIX}{aid}.wav"
