"""What an announcement's sound depends on, and the cache key derived from it.

Kept apart from `synth` so the server process can compute keys without importing pyttsx3 (which
loads libespeak-ng into whichever process imports its driver).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from server.core.hall import Voice

# Bump when the layout of the audio changes (chime, pauses, order): old cache entries then stop
# matching instead of being served with the old sound.
FORMAT_VERSION = 2

# The espeak-ng voice that reads hanzi as Mandarin; `cmn` reads many common characters as
# English-spelled pinyin (请 becomes "king three"), see docs/voice.md.
ZH_VOICE = "cmn-latn-pinyin"
EN_VOICE = "en"
# Words a minute. A call must be over in about 4 s (issue 9: at 160 with two readings it took
# 10.3 s and a burst of calls was heard minutes late).
DEFAULT_RATE = 200
# The rate of the calls said together when the loudspeaker has a backlog: faster, so that ten
# windows calling at once are all heard within 30 s (docs/voice.md has the arithmetic).
BUSY_RATE = 230
CHIMES = ("short", "long", "none")

_AUDIO_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class SynthSettings:
    zh_voice: str = ZH_VOICE
    en_voice: str = EN_VOICE
    rate: int = DEFAULT_RATE
    volume: float = 1.0
    repeat: int = 1
    english: bool = False
    chime: str = "short"
    # Between the chime and the first sentence, and between two sentences.
    lead_s: float = 0.2
    pause_s: float = 0.3
    # espeak-ng ends every sentence with about 0.45 s of silence: cut to this much, so calls
    # said back to back in a busy hall do not carry dead air.
    tail_s: float = 0.15
    busy_rate: int = BUSY_RATE

    @classmethod
    def from_voice(cls, voice: Voice, **overrides: Any) -> SynthSettings:
        base = cls(
            repeat=voice.repeat,
            english=voice.english,
            rate=getattr(voice, "rate", DEFAULT_RATE),
            chime=getattr(voice, "chime", "short"),
            busy_rate=getattr(voice, "busy_rate", BUSY_RATE),
        )
        return replace(base, **overrides)

    def part(self) -> SynthSettings:
        """A call said in a busy loudspeaker's announcement: once, faster, no chime, no English."""
        return replace(self, repeat=1, english=False, chime="none", rate=self.busy_rate)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SynthSettings:
        known = {f.name for f in fields(cls)}
        # A job spooled by an older server may lack a newer field: its default applies.
        return cls(**{k: v for k, v in data.items() if k in known})  # type: ignore[arg-type]


@dataclass(frozen=True)
class HallVoice(Voice):
    """The hall file's [voice]: the core's words and repeats, plus how fast and how merged.

    A subclass, so `Hall.voice` stays a `Voice` for everything else in the server. Defaults meet
    issue 9's targets (docs/voice.md has the measurements): one call in about 3.5 s, and ten
    windows calling at once all heard within 30 s.
    """

    template: str = "请{number}号到{window}号窗口"
    repeat: int = 1
    # What follows the first call in a merged announcement ("请A005号到1号窗口，B012号到3号窗口").
    template_more: str = "{number}号到{window}号窗口"
    rate: int = DEFAULT_RATE
    busy_rate: int = BUSY_RATE
    chime: str = "short"
    # With this many calls waiting for the loudspeaker, the oldest are said in one announcement
    # (at most merge_max numbers); otherwise a call that waited is said once, without repeats,
    # English or a chime of its own (server.speech.plan).
    merge_after: int = 2
    merge_max: int = 6
    # The longest a banner stays up, whatever the audio does (a stalled player never leaves it).
    banner_max_s: float = 15.0


def template_more(voice: Voice) -> str:
    return getattr(voice, "template_more", HallVoice.template_more)


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


def chime_id(settings: SynthSettings) -> str:
    """The name of the chime alone (and the pause after it), which a display plays before the
    pieces of a merged announcement; no call has empty words, so it never names a call."""
    return audio_id("", None, settings)


def is_audio_id(value: str) -> bool:
    """True for names `audio_id` makes; the HTTP layer passes visitors' input here."""
    return _AUDIO_ID.fullmatch(value) is not None
