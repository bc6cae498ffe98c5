"""What an announcement's sound depends on, and the cache key derived from it.

Kept apart from `synth` so the server process can compute keys without importing pyttsx3 (which
loads libespeak-ng into whichever process imports its driver).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace

from server.core.hall import Voice

# Bump when the layout of the audio changes (chime, pauses, order): old cache entries then stop
# matching instead of being served with the old sound.
FORMAT_VERSION = 1

# The espeak-ng voice that reads hanzi as Mandarin; `cmn` reads many common characters as
# English-spelled pinyin (请 becomes "king three"), see docs/voice.md.
ZH_VOICE = "cmn-latn-pinyin"
EN_VOICE = "en"
# espeak-ng's 175 words a minute is hurried for a hall; 160 keeps a call under about 4.5 s.
DEFAULT_RATE = 160

_AUDIO_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class SynthSettings:
    zh_voice: str = ZH_VOICE
    en_voice: str = EN_VOICE
    rate: int = DEFAULT_RATE
    volume: float = 1.0
    repeat: int = 2
    english: bool = False
    # Between the chime and the first sentence, and between two sentences (espeak-ng already
    # ends each sentence with about 0.45 s of silence).
    lead_s: float = 0.35
    pause_s: float = 0.5

    @classmethod
    def from_voice(cls, voice: Voice, **overrides: object) -> SynthSettings:
        return replace(cls(repeat=voice.repeat, english=voice.english), **overrides)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SynthSettings:
        return cls(**data)  # type: ignore[arg-type]


def spoken_en(text_en: str | None, settings: SynthSettings) -> str:
    """The English line that will actually be spoken ("" when the hall speaks Chinese only)."""
    return (text_en or "").strip() if settings.english else ""


def audio_id(text_zh: str, text_en: str | None, settings: SynthSettings) -> str:
    """A stable name for the sound of this call: same words and settings, same file."""
    payload = {
        "v": FORMAT_VERSION,
        "zh": text_zh.strip(),
        "en": spoken_en(text_en, settings),
        "settings": settings.to_json(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def is_audio_id(value: str) -> bool:
    """True for names `audio_id` makes; the HTTP layer passes visitors' input here."""
    return _AUDIO_ID.fullmatch(value) is not None
