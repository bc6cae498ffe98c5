"""Announcements rendered to WAV with pyttsx3 on espeak-ng: chime, the call `repeat` times, and
optionally the English line.

pyttsx3 2.99's espeak driver has traps this module is shaped around (docs/voice.md):
- an unknown voice id is ignored silently and the previous voice (English at start) speaks on,
  so the voice in effect is read back after each sentence;
- before the first runAndWait, setProperty is only queued; and a runAndWait with no utterance
  queued after an earlier one never returns, so every runAndWait here carries exactly one
  save_to_file, and the voice is checked after it;
- several save_to_file calls before one runAndWait write only the last file;
- espeak-ng works on a thread of its own, which a rate or volume change (or the tail of the last
  sentence) keeps "playing" for a moment; runAndWait cancels whatever is playing as it starts,
  so a sentence started then is cancelled and no file is written: 17 of 200 back-to-back
  sentences under CPU load, none of 1000 once each sentence waits for espeak-ng to be idle.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path

import pyttsx3
from pyttsx3.drivers import _espeak

from server.speech.audio import chime, duration, read_wav, silence, trim_tail, write_wav_atomically
from server.speech.settings import SynthSettings, spoken_en

# espeak-ng goes idle within milliseconds; past this something else is wrong and the
# synthesis below fails visibly instead.
_IDLE_WAIT_S = 2.0


class VoiceUnavailable(RuntimeError):
    """espeak-ng did not switch to the voice asked for (missing voice data, or a wrong id)."""


class SynthesisError(RuntimeError):
    """espeak-ng produced no usable audio."""


class Synthesizer:
    """Not thread-safe, and one per process: pyttsx3 initializes libespeak-ng once per process
    with a single global callback, so a second engine would share (and disturb) the first."""

    def __init__(self) -> None:
        self._engine = pyttsx3.init("espeak")
        self._errors: list[str] = []
        self._engine.connect("error", self._on_error)

    def speak(self, text: str, voice_id: str, path: Path, *, rate: int = 175, volume: float = 1.0) -> None:
        """Write `text` spoken by `voice_id` to the WAV file `path`."""
        if not text.strip():
            raise ValueError("nothing to say")
        # Twice at most: a process's first sentence can still be cancelled (module docstring),
        # because its setProperty calls reach espeak-ng only inside that runAndWait.
        for _ in range(2):
            self._errors.clear()
            path.unlink(missing_ok=True)
            self._speak_once(text, voice_id, path, rate, volume)
            if path.exists() and path.stat().st_size > 44:
                return
        raise SynthesisError(f"espeak-ng wrote no audio for {text!r}{self._error_note()}")

    def _speak_once(self, text: str, voice_id: str, path: Path, rate: int, volume: float) -> None:
        engine = self._engine
        engine.setProperty("voice", voice_id)
        engine.setProperty("rate", rate)
        engine.setProperty("volume", volume)
        engine.save_to_file(text, str(path))
        # After the setProperty calls: espeak-ng queues a rate or volume change on its thread too.
        _wait_until_idle()
        # The driver prints "Audio saved to ..." for every file.
        with contextlib.redirect_stdout(io.StringIO()):
            engine.runAndWait()
        current = str(engine.getProperty("voice") or "")
        if not same_voice(current, voice_id):
            raise VoiceUnavailable(
                f"espeak-ng voice {voice_id!r} did not take effect (still {current!r}); "
                f"check `espeak-ng --voices=cmn` lists it{self._error_note()}"
            )

    def announcement(self, text_zh: str, text_en: str | None, settings: SynthSettings, out_path: Path) -> float:
        """Render one call to `out_path` (atomically) and return its length in seconds."""
        with tempfile.TemporaryDirectory(prefix="hallq-speech-") as tmp:
            rate, zh = self._render(text_zh, settings.zh_voice, Path(tmp) / "zh.wav", settings)
            bell = chime(rate, settings.chime)
            parts = [bell, silence(rate, settings.lead_s)] if bell else []
            for i in range(max(1, settings.repeat)):
                if i:
                    parts.append(silence(rate, settings.pause_s))
                parts.append(zh)
            english = spoken_en(text_en, settings)
            if english:
                en_rate, en = self._render(english, settings.en_voice, Path(tmp) / "en.wav", settings)
                if en_rate != rate:
                    raise SynthesisError(f"English audio at {en_rate} Hz, Chinese at {rate} Hz")
                parts += [silence(rate, settings.pause_s), en]
        pcm = b"".join(parts)
        write_wav_atomically(out_path, rate, pcm)
        return duration(rate, pcm)

    def _render(self, text: str, voice_id: str, path: Path, settings: SynthSettings) -> tuple[int, bytes]:
        self.speak(text, voice_id, path, rate=settings.rate, volume=settings.volume)
        rate, pcm = read_wav(path)
        return rate, trim_tail(rate, pcm, settings.tail_s)

    def _on_error(self, name: object = None, exception: BaseException | None = None) -> None:
        self._errors.append(repr(exception))

    def _error_note(self) -> str:
        return f" (pyttsx3 reported: {'; '.join(self._errors)})" if self._errors else ""


def _wait_until_idle() -> None:
    deadline = time.monotonic() + _IDLE_WAIT_S
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.001)


def same_voice(current: str, wanted: str) -> bool:
    """pyttsx3 reports espeak-ng's identifier ("sit/cmn-latn-pinyin") for the name set."""
    return current.lower().rsplit("/", 1)[-1] == wanted.lower().rsplit("/", 1)[-1]
